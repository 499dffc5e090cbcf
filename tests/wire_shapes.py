"""Check a JSON value against a TypedDict of jupyter_pipeline.wire: exactly its keys (the
NotRequired ones may be absent), recursively through lists and nested shapes."""

from __future__ import annotations

import types
import typing
from typing import Any


def _typed_dicts(annotation: Any) -> list[type]:
    """The TypedDicts an annotation allows (`X`, `X | None`, `list[X]`)."""
    if typing.is_typeddict(annotation):
        return [annotation]
    out = []
    for arg in typing.get_args(annotation):
        out += _typed_dicts(arg)
    return out


def assert_shape(value: Any, shape: type, where: str = "reply") -> None:
    assert isinstance(value, dict), f"{where} is {value!r}, not an object"
    hints = typing.get_type_hints(shape)
    required, optional = set(shape.__required_keys__), set(shape.__optional_keys__)
    missing = required - set(value)
    extra = set(value) - required - optional
    assert not missing and not extra, (f"{where} ({shape.__name__}): missing {sorted(missing)}, "
                                       f"not declared in wire.py {sorted(extra)}")
    for key, item in value.items():
        nested = _typed_dicts(hints[key])
        if not nested or item is None:
            continue
        origin = typing.get_origin(hints[key])
        items = item if isinstance(item, list) and origin is not types.UnionType else [item]
        for k, element in enumerate(items if isinstance(item, list) else [item]):
            assert_shape(element, nested[0], f"{where}.{key}[{k}]")
