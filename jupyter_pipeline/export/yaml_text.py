"""YAML 1.2 in and out with ruamel.yaml (the library DVC itself uses), as text: pure."""

from __future__ import annotations

import io
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

__all__ = ["dump", "load_roundtrip", "load_safe", "YAMLError"]


def _yaml(typ: str = "rt") -> YAML:
    y = YAML(typ=typ)
    y.version = None  # no %YAML directive: DVC reads 1.2 by default
    y.default_flow_style = False
    y.width = 4096  # never fold long commands
    y.indent(mapping=2, sequence=4, offset=2)
    y.representer.add_representer(type(None), _null)
    return y


def _null(representer, _value):
    """`key: null`, not `key:` with nothing after it: a reader should see the value."""
    return representer.represent_scalar("tag:yaml.org,2002:null", "null")


def dump(data: Any) -> str:
    buf = io.StringIO()
    _yaml().dump(data, buf)
    return buf.getvalue()


def load_roundtrip(text: str) -> Any:
    return _yaml().load(text)


def load_safe(text: str) -> Any:
    return YAML(typ="safe").load(text)
