"""wire.py declares every JSON reply; labextension/src/types.ts mirrors each one. Parse the
TypeScript interfaces and compare them field by field (and optionality: `x?:` is NotRequired),
so a key added or renamed on one side fails here rather than in a user's panel."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from jupyter_pipeline import wire

TYPES_TS = Path(__file__).resolve().parents[1] / "labextension" / "src" / "types.ts"
INTERFACE = re.compile(r"export interface (\w+) \{(.*?)\n\}", re.S)
FIELD = re.compile(r"^\s*(\w+)(\?)?:", re.M)


def ts_interfaces() -> dict[str, dict[str, bool]]:
    """interface -> {field: optional}; comments are dropped first."""
    text = re.sub(r"/\*.*?\*/|//[^\n]*", "", TYPES_TS.read_text(encoding="utf-8"), flags=re.S)
    return {name: {f: bool(q) for f, q in FIELD.findall(body)}
            for name, body in INTERFACE.findall(text)}


def python_fields(shape: type) -> dict[str, bool]:
    return {**{k: False for k in shape.__required_keys__},
            **{k: True for k in shape.__optional_keys__}}


@pytest.mark.parametrize("interface", sorted(wire.TS_INTERFACES))
def test_types_ts_mirrors_wire(interface):
    interfaces = ts_interfaces()
    assert interface in interfaces, f"types.ts has no interface {interface}"
    assert interfaces[interface] == python_fields(wire.TS_INTERFACES[interface])


def test_every_reply_interface_of_types_ts_is_declared_in_wire():
    requests = {"IExportOptions"}  # what the browser sends, not a reply
    assert set(ts_interfaces()) - requests == set(wire.TS_INTERFACES)


def test_the_analysis_reply_has_exactly_the_declared_keys():
    from jupyter_pipeline import api
    from tests.nbbuild import notebook
    from tests.wire_shapes import assert_shape

    data = notebook([("parameters", "n = 3"), ("stage:make", "xs = list(range(n))"),
                     ("stage:total", "t = sum(xs)"), (None, "x = = 1")])
    assert_shape(wire.analysis_json(api.analyze_notebook(data, "nb.ipynb")), wire.AnalysisReply)
    data["cells"].pop()
    reply = wire.analysis_json(api.analyze_notebook(data, "nb.ipynb"))
    assert reply["stages"] and reply["edges"]
    assert_shape(reply, wire.AnalysisReply)
