"""Typed parameters survive the whole trip: notebook -> params.yaml -> DVC -> papermill -> stage."""

from __future__ import annotations

import json

import pytest

from jupyter_pipeline.runtime import handoff
from tests.nbbuild import notebook

from . import harness

pytestmark = pytest.mark.integration

CELLS = [
    ("parameters", "flag = False\ntol = 1e-3\nlabel = 'two words'\ncols = ['a', 'b']\n"
                   "opts = {'depth': 3}\nnothing = None\ncount = 4"),
    ("stage:check", "seen = {name: [type(value).__name__, value] for name, value in [\n"
                    "    ('flag', flag), ('tol', tol), ('label', label), ('cols', cols),\n"
                    "    ('opts', opts), ('nothing', nothing), ('count', count)]}"),
    ("stage:after", "print(seen)"),
]


def _seen(folder):
    return handoff.load(str(folder / "pipelines" / "nb" / "data" / "check"), "seen")


def test_parameter_types_reach_the_stage_through_dvc(tmp_path):
    (tmp_path / "nb.ipynb").write_text(json.dumps(notebook(CELLS)), encoding="utf-8")
    harness.make_repo(tmp_path)
    harness.run([str(harness.BIN / "nb2pipe"), "convert", "nb.ipynb"], tmp_path)
    harness.commit_all(tmp_path, "converted")
    harness.run([str(harness.BIN / "dvc"), "repro"], tmp_path)
    assert _seen(tmp_path) == {
        "flag": ["bool", False], "tol": ["float", 0.001], "label": ["str", "two words"],
        "cols": ["list", ["a", "b"]], "opts": ["dict", {"depth": 3}],
        "nothing": ["NoneType", None], "count": ["int", 4]}

    harness.run([str(harness.BIN / "dvc"), "exp", "run", "-S", "flag=true", "-S", "tol=1e-4",
                 "-S", "label=three small words", "-S", "cols=[x]"], tmp_path)
    seen = _seen(tmp_path)
    assert seen["flag"] == ["bool", True]
    assert seen["tol"] == ["float", 0.0001]
    assert seen["label"] == ["str", "three small words"]
    assert seen["cols"] == ["list", ["x"]]
