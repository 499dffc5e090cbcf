"""Pure comparisons: values handed between stages, and cell outputs with volatile parts
(timings, memory addresses) normalised."""

from __future__ import annotations

import math
import pickle
import re
from typing import Any, Iterable, Mapping

_ADDRESS = re.compile(r"0x[0-9a-fA-F]{6,}")
_TIMING_LINE = re.compile(
    r"^(CPU times:.*|Wall time:.*|.*\bper loop \(mean ± std\. dev\..*|"
    r"\d+(\.\d+)? ?[nµum]?s ± \d+(\.\d+)? ?[nµum]?s.*)$", re.MULTILINE)


# Where a warning points at the user's code: the kernel's file for the cell, which the pipeline
# names differently (another process, and a function may be defined again in the load cell).
_CELL_FILE = re.compile(r"(/[^\s:]*)?/ipykernel_\d+/\d+\.py:\d+")


def normalise(text: str) -> str:
    text = _ADDRESS.sub("0x…", text)
    text = _CELL_FILE.sub("<cell>", text)
    text = _TIMING_LINE.sub("<timing>", text)
    return text


def cell_outputs(outputs: Iterable[Mapping[str, Any]]) -> list[str]:
    """What a reader compares: streams, text/plain results and errors, normalised."""
    shown: list[str] = []
    for out in outputs:
        kind = out.get("output_type")
        if kind == "stream":
            shown.append(f"[{out.get('name')}] {normalise(_text(out.get('text')))}")
        elif kind in ("execute_result", "display_data"):
            data = out.get("data") or {}
            if "text/plain" in data:
                shown.append(normalise(_text(data["text/plain"])))
        elif kind == "error":
            shown.append(f"{out.get('ename')}: {normalise(str(out.get('evalue')))}")
    # Consecutive stream chunks are split arbitrarily by the kernel: join them.
    merged: list[str] = []
    for item in shown:
        if merged and item.startswith("[") and merged[-1].startswith(item[:item.find("]") + 1]):
            merged[-1] += item[item.find("]") + 2:]
        else:
            merged.append(item)
    return merged


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


def first_output_difference(whole: list[str], piped: list[str]) -> str | None:
    if whole == piped:
        return None
    for i, (a, b) in enumerate(zip(whole, piped)):
        if a != b:
            for n, (la, lb) in enumerate(zip(a.splitlines(), b.splitlines()), start=1):
                if la != lb:
                    return f"output {i + 1}, line {n}: notebook {la!r}, pipeline {lb!r}"
            return f"output {i + 1}: notebook {a[:80]!r}, pipeline {b[:80]!r}"
    return f"notebook shows {len(whole)} output(s), pipeline {len(piped)}"


# Figures and weak references: their insides (callback registries, canvas state) differ after
# a save and load without any difference the user could see; their drawn output is compared.
_NOT_DATA = ("matplotlib", "weakref", "_weakref")


def same(a: Any, b: Any, structure_only: bool = False,
         _seen: set[tuple[int, int]] | None = None) -> str | None:
    """None when equal (or of the same structure); else a short description of the difference.
    Objects that refer back to themselves (a figure and its axes) are compared once."""
    seen = set() if _seen is None else _seen
    if (id(a), id(b)) in seen or len(seen) > 100_000:
        return None
    if not isinstance(a, (int, float, str, bytes, type(None))):
        seen.add((id(a), id(b)))
    if type(a) is not type(b):
        return f"type {type(a).__name__} != {type(b).__name__}"
    mod = type(a).__module__
    if mod.startswith(_NOT_DATA):
        return None
    if mod.startswith("pandas"):
        if hasattr(a, "columns") and list(a.columns) != list(b.columns):
            return f"columns {list(a.columns)} != {list(b.columns)}"
        if a.shape != b.shape:
            return f"shape {a.shape} != {b.shape}"
        if structure_only:
            return None
        if not a.equals(b):
            return "values differ"
        dtypes_a = list(getattr(a.dtypes, "values", [a.dtypes]))
        dtypes_b = list(getattr(b.dtypes, "values", [b.dtypes]))
        return None if dtypes_a == dtypes_b else "dtypes differ"
    if mod == "numpy" and hasattr(a, "shape"):
        import numpy as np

        if a.shape != b.shape or a.dtype != b.dtype:
            return f"shape/dtype {a.shape}/{a.dtype} != {b.shape}/{b.dtype}"
        if not structure_only and not np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"):
            return "array values differ"
        return None
    if isinstance(a, float):
        if structure_only or a == b or (math.isnan(a) and math.isnan(b)):
            return None
        return f"{a!r} != {b!r}"
    if isinstance(a, (list, tuple)):
        if len(a) != len(b):
            return f"length {len(a)} != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            p = same(x, y, structure_only, seen)
            if p:
                return f"[{i}]: {p}"
        return None
    if isinstance(a, dict):
        if list(a) != list(b):
            return f"keys {list(a)} != {list(b)}"
        for k in a:
            p = same(a[k], b[k], structure_only, seen)
            if p:
                return f"[{k!r}]: {p}"
        return None
    if structure_only:
        return None
    try:
        if bool(a == b):
            return None
    except Exception:  # noqa: BLE001 - objects with odd __eq__ fall through to pickles
        pass
    try:
        if pickle.dumps(a) == pickle.dumps(b):
            return None
    except Exception:  # noqa: BLE001
        pass
    if hasattr(a, "__dict__") and hasattr(b, "__dict__") and vars(a) is not a:
        return same(vars(a), vars(b), structure_only, seen)
    return f"{_short(a)} != {_short(b)}"


def _short(v: Any) -> str:
    text = repr(v)
    return text if len(text) < 60 else text[:57] + "..."
