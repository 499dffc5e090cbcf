"""Pure: is a value the pipeline handed on the one the notebook had? Exact for data (type, dtype,
shape, flags and pandas metadata: index and column types, names, `freq`, MultiIndex levels
including unused ones, categorical order, `attrs`, `flags`); by structure only (type, shape,
dtype, columns) where the notebook itself varies between runs."""

from __future__ import annotations

import math
import pickle
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, Callable

# Figures and weak references: their insides (callback registries, canvas state) differ after
# a save and load without any difference the user could see; their drawn output is compared.
_NOT_DATA = ("matplotlib", "weakref", "_weakref")
_SEEN_LIMIT = 100_000

_DICT_VIEWS = (type({}.keys()), type({}.values()), type({}.items()))


def same(a: Any, b: Any, structure_only: bool = False,
         text: Callable[[str], str] = lambda s: s) -> str | None:
    """None when equal (or of the same structure); else a short description of the difference.
    `text` normalises strings on both sides first (the scratch folders' paths). Objects that
    refer back to themselves (a figure and its axes) are compared once."""
    return _Comparison(structure_only, text).of(a, b)


@dataclass
class _Comparison:
    structure_only: bool
    text: Callable[[str], str]
    seen: set[tuple[int, int]] = field(default_factory=set)

    def of(self, a: Any, b: Any) -> str | None:
        if (id(a), id(b)) in self.seen or len(self.seen) > _SEEN_LIMIT:
            return None
        if not isinstance(a, (int, float, str, bytes, type(None))):
            self.seen.add((id(a), id(b)))
        if type(a) is not type(b):
            return f"type {type(a).__name__} != {type(b).__name__}"
        mod = type(a).__module__
        if mod.startswith(_NOT_DATA):
            return None
        if mod.startswith("pandas"):
            return pandas_difference(a, b, self.structure_only)
        if mod == "numpy" and hasattr(a, "shape"):
            return array_difference(a, b, self.structure_only)
        if isinstance(a, str):
            return None if self.structure_only or self.text(a) == self.text(b) else \
                f"{_short(a)} != {_short(b)}"
        if isinstance(a, PurePath):
            return self.of(str(a), str(b))
        if isinstance(a, float):
            if self.structure_only or a == b or (math.isnan(a) and math.isnan(b)):
                return None
            return f"{a!r} != {b!r}"
        if isinstance(a, (list, tuple)):
            if len(a) != len(b):
                return f"length {len(a)} != {len(b)}"
            for i, (x, y) in enumerate(zip(a, b)):
                p = self.of(x, y)
                if p:
                    return f"[{i}]: {p}"
            return None
        if type(a) in _DICT_VIEWS:  # `d.values()` equals no other view, not even itself
            return self.of(list(a), list(b))
        if isinstance(a, dict):
            if list(a) != list(b):
                return f"keys {list(a)} != {list(b)}"
            for k in a:
                p = self.of(a[k], b[k])
                if p:
                    return f"[{k!r}]: {p}"
            return None
        if self.structure_only:
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
            return self.of(vars(a), vars(b))
        return f"{_short(a)} != {_short(b)}"


def array_difference(a: Any, b: Any, structure_only: bool) -> str | None:
    import numpy as np

    if a.shape != b.shape or a.dtype != b.dtype:
        return f"shape/dtype {a.shape}/{a.dtype} != {b.shape}/{b.dtype}"
    if structure_only:
        return None
    if not np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"):
        return "array values differ"
    for flag in ("writeable", "c_contiguous", "f_contiguous"):
        if getattr(a.flags, flag) != getattr(b.flags, flag):
            return f"flag {flag} {getattr(a.flags, flag)} != {getattr(b.flags, flag)}"
    return None


def pandas_difference(a: Any, b: Any, structure_only: bool) -> str | None:
    """Frames, series and indexes (any kind); other pandas values (Timestamp, Categorical,
    offsets...) by equality."""
    import pandas as pd

    if isinstance(a, pd.DataFrame):
        return _frame(a, b, structure_only)
    if isinstance(a, pd.Series):
        return _series(a, b, structure_only)
    if isinstance(a, pd.Index):
        return _index(a, b, structure_only, "")
    try:
        if isinstance(a, pd.api.extensions.ExtensionArray):
            pd.testing.assert_extension_array_equal(a, b, check_exact=True)
            return None
        return None if structure_only or bool(a == b) or (a is pd.NaT and b is pd.NaT) \
            else f"{_short(a)} != {_short(b)}"
    except AssertionError as exc:
        return _first_line(exc)
    except (TypeError, ValueError):
        return None if pickle.dumps(a) == pickle.dumps(b) else f"{_short(a)} != {_short(b)}"


def _frame(a: Any, b: Any, structure_only: bool) -> str | None:
    import pandas as pd

    if list(a.columns) != list(b.columns):
        return f"columns {list(a.columns)} != {list(b.columns)}"
    if a.shape != b.shape:
        return f"shape {a.shape} != {b.shape}"
    if list(a.dtypes) != list(b.dtypes):
        return f"dtypes {_dtypes(a, b)}"
    if structure_only:
        return None
    for what, x, y in (("index", a.index, b.index), ("columns", a.columns, b.columns)):
        problem = _index(x, y, False, what + " ")
        if problem:
            return problem
    try:
        pd.testing.assert_frame_equal(a, b, check_exact=True, check_freq=True, check_flags=True,
                                      check_index_type=True, check_column_type=True,
                                      check_frame_type=True, check_names=True,
                                      check_categorical=True)
    except AssertionError as exc:
        return _values_problem(exc)
    return _attrs(a, b)


def _shape_and_dtype(a: Any, b: Any, what: str = "", as_length: bool = False) -> str | None:
    """The first of shape and dtype that differs: all a structure-only comparison of a Series
    or an Index looks at. `as_length`: an index's shape is said as its length."""
    if a.shape != b.shape:
        return f"{what}length {len(a)} != {len(b)}" if as_length else \
            f"{what}shape {a.shape} != {b.shape}"
    if a.dtype != b.dtype:
        return f"{what}dtype {a.dtype} != {b.dtype}"
    return None


def _series(a: Any, b: Any, structure_only: bool) -> str | None:
    import pandas as pd

    problem = _shape_and_dtype(a, b)
    if problem or structure_only:
        return problem
    problem = _index(a.index, b.index, False, "index ")
    if problem:
        return problem
    if a.name != b.name and not (_isnan(a.name) and _isnan(b.name)):
        return f"name {a.name!r} != {b.name!r}"
    try:
        pd.testing.assert_series_equal(a, b, check_exact=True, check_freq=True, check_flags=True,
                                       check_index_type=True, check_series_type=True,
                                       check_names=True, check_categorical=True)
    except AssertionError as exc:
        return _values_problem(exc)
    return _attrs(a, b)


def _index(a: Any, b: Any, structure_only: bool, what: str) -> str | None:
    import pandas as pd

    if type(a) is not type(b):
        return f"{what}type {type(a).__name__} != {type(b).__name__}"
    problem = _shape_and_dtype(a, b, what, as_length=True)
    if problem or structure_only:
        return problem
    if list(a.names) != list(b.names):
        return f"{what}names {list(a.names)} != {list(b.names)}"
    if getattr(a, "freq", None) != getattr(b, "freq", None):
        return f"{what}freq {getattr(a, 'freq', None)!r} != {getattr(b, 'freq', None)!r}"
    if isinstance(a, pd.MultiIndex):
        # Levels keep values no row uses any more (after a filter); `levels` shows them.
        for n, (x, y) in enumerate(zip(a.levels, b.levels)):
            problem = _index(x, y, False, "")
            if problem:
                return f"{what}level {n}: {problem}"
    if isinstance(a, pd.CategoricalIndex) and (
            list(a.categories) != list(b.categories) or a.ordered != b.ordered):
        return (f"{what}categories {list(a.categories)} (ordered={a.ordered}) != "
                f"{list(b.categories)} (ordered={b.ordered})")
    try:
        pd.testing.assert_index_equal(a, b, exact=True, check_names=True, check_exact=True,
                                      check_categorical=True, check_order=True)
    except AssertionError as exc:
        return f"{what}{_values_problem(exc)}"
    return None


def _attrs(a: Any, b: Any) -> str | None:
    if a.attrs != b.attrs:
        return f"attrs {_short(a.attrs)} != {_short(b.attrs)}"
    return None


def _dtypes(a: Any, b: Any) -> str:
    for column, x, y in zip(a.columns, a.dtypes, b.dtypes):
        if x != y:
            return f"of column {column!r}: {x} != {y}"
    return "differ"


def _values_problem(exc: AssertionError) -> str:
    """pandas' assertion names where ('DataFrame.iloc[:, 0] (column name="a") are different')
    and then what ('... values are different (50.0 %)', or an attribute): keep both short."""
    lines = [ln.strip() for ln in str(exc).strip().splitlines() if ln.strip()]
    if not lines:
        return type(exc).__name__
    where = lines[0].removesuffix(" are different")
    what = next((ln for ln in lines[1:] if not ln.startswith("[")), "")
    if what and " values are different" not in what:
        return f"{where}: {what}"
    return f"values differ: {where}" if where != lines[0] else lines[0]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _isnan(v: Any) -> bool:
    return isinstance(v, float) and math.isnan(v)


def _short(v: Any) -> str:
    text = repr(v)
    return text if len(text) < 60 else text[:57] + "..."
