"""The fast formats (parquet for DataFrames, .npy for arrays, JSON for plain data), used only
where they give back exactly what the notebook had; the caller pickles everything else.

Each is decided without reading the values back: a value qualifies by its shape (a whitelist
of types, dtypes and metadata that the format is known to keep), and after writing, the file's
own header (parquet schema, npy header) is compared with the value's metadata. A value that
fails either gets no fast file and is pickled.
"""

from __future__ import annotations

import json
import os
from typing import Any

from . import atomic

# --- JSON ---------------------------------------------------------------------------------


def _json_tree(value: Any, seen: set[int], depth: int = 0) -> bool:
    """Plain JSON data that reads back equal and of the same types: no tuples, no non-str
    keys, no NaN, and no list or dict reached twice (JSON would make two copies of it)."""
    t = type(value)
    if value is None or t in (bool, int, str):
        return True
    if t is float:
        return value == value and value not in (float("inf"), float("-inf"))
    if t not in (list, dict) or depth > 50 or id(value) in seen:
        return False
    seen.add(id(value))
    if t is list:
        return all(_json_tree(v, seen, depth + 1) for v in value)
    return all(type(k) is str and _json_tree(v, seen, depth + 1) for k, v in value.items())


def json_bytes(value: Any) -> bytes | None:
    if not _json_tree(value, set()):
        return None
    try:
        return json.dumps(value, indent=1, ensure_ascii=False).encode("utf-8")
    except (UnicodeEncodeError, ValueError):  # lone surrogates; too deep
        return None


# --- numpy .npy ---------------------------------------------------------------------------


def npy_fits(value: Any) -> bool:
    """A plain ndarray that owns its memory, C- or Fortran-ordered, of a dtype .npy stores
    without pickling; views and object arrays are pickled (which keeps views as views)."""
    t = type(value)
    if t.__name__ != "ndarray" or t.__module__ != "numpy" or value.dtype.hasobject \
            or value.dtype.metadata is not None:  # .npy drops a dtype's metadata
        return False
    if not (value.flags.c_contiguous or value.flags.f_contiguous):
        return False
    owner = value
    while type(owner.base).__name__ == "ndarray" and type(owner.base).__module__ == "numpy":
        owner = owner.base
    # A view of all of its array's memory (`np.arange(6).reshape(2, 3)`) is that array.
    return owner is value or owner.nbytes == value.nbytes


def write_npy(path: str, value: Any, root: Any) -> dict[str, Any] | None:
    """Write `value` as .npy (atomically, inside `root`: atomic.py); the index entry, or None
    (file removed) when its header does not describe the same array (a dtype with metadata or
    alignment .npy does not keep)."""
    import numpy as np

    try:
        with atomic.atomic_file(path, root) as f:
            np.save(f, value, allow_pickle=False)
        back = np.load(path, mmap_mode="r", allow_pickle=False) if value.size else \
            np.load(path, allow_pickle=False)
        same = (back.shape == value.shape and back.dtype == value.dtype
                and repr(back.dtype) == repr(value.dtype)
                and back.dtype.metadata == value.dtype.metadata
                and back.dtype.isalignedstruct == value.dtype.isalignedstruct
                and (value.ndim < 2 or bool(back.flags.f_contiguous) == bool(
                    value.flags.f_contiguous) and bool(back.flags.c_contiguous) == bool(
                    value.flags.c_contiguous)))
        del back
    except atomic.LeadsOutside:
        raise
    except Exception:  # noqa: BLE001 - any failure: the caller pickles it
        same = False
    if not same:
        if os.path.exists(path):
            os.remove(path)
        return None
    entry: dict[str, Any] = {"format": "npy", "file": os.path.basename(path)}
    if not value.flags.writeable:
        entry["writeable"] = False
    if value.flags.owndata:
        entry["owns"] = True
    return entry


def read_npy(path: str, entry: dict[str, Any]) -> Any:
    import numpy as np

    arr = np.load(path, allow_pickle=False)
    if entry.get("owns") and not arr.flags.owndata:
        arr = _owning(arr)
    if entry.get("writeable", True) is False:
        arr.flags.writeable = False
    return arr


def _owning(arr: Any) -> Any:
    """The loaded array as one that owns its memory, as the notebook's did (`a.resize(...)`
    refuses a view): numpy's .npy reader returns a reshaped view of the flat array it read,
    whose shape can simply be set on that array itself (a Fortran-ordered one is copied)."""
    import numpy as np

    flat = arr.base
    if isinstance(flat, np.ndarray) and flat.flags.owndata and flat.base is None \
            and flat.dtype == arr.dtype and flat.nbytes == arr.nbytes \
            and arr.flags.c_contiguous:
        flat.shape = arr.shape
        return flat
    return arr.copy(order="K")


# --- pandas parquet -----------------------------------------------------------------------

# numpy kinds and pandas extension dtypes that parquet (pyarrow) keeps, checked per column
# against the written schema. Categoricals (the schema lacks their categories), object columns
# (their values decide what comes back) and periods/intervals are pickled.
_NUMPY_KINDS = frozenset("biufmM")
_EXTENSIONS = frozenset({"Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32",
                         "UInt64", "Float32", "Float64", "boolean", "string", "str"})


def _column_fits(dtype: Any) -> bool:
    import numpy as np

    if isinstance(dtype, np.dtype):
        return dtype.kind in _NUMPY_KINDS and dtype.names is None and dtype.metadata is None
    name = getattr(dtype, "name", "")
    return name in _EXTENSIONS or type(dtype).__name__ == "DatetimeTZDtype"


def parquet_fits(frame: Any) -> bool:
    """A DataFrame of a shape parquet keeps whole: string column labels (unique, unnamed),
    a RangeIndex, no attrs, default flags, column dtypes from the whitelist."""
    import pandas as pd

    if type(frame) is not pd.DataFrame or frame.attrs or not frame.flags.allows_duplicate_labels:
        return False
    cols, index = frame.columns, frame.index
    if type(cols) is not pd.Index or cols.name is not None or not cols.is_unique \
            or not all(type(c) is str for c in cols):
        return False
    if type(index) is not pd.RangeIndex or not (index.name is None or type(index.name) is str):
        return False
    return all(_column_fits(d) for d in frame.dtypes)


def _same_dtype(a: Any, b: Any) -> bool:
    if a != b or repr(a) != repr(b):
        return False
    tz_a, tz_b = getattr(a, "tz", None), getattr(b, "tz", None)
    return type(tz_a) is type(tz_b) and str(tz_a) == str(tz_b)


def write_parquet(path: str, frame: Any, root: Any) -> dict[str, Any] | None:
    """Write `frame` as parquet (atomically, inside `root`: atomic.py); the index entry, or None
    (file removed) when the written schema would not give back the same columns, dtypes and
    index."""
    try:
        import pyarrow.parquet as pq

        with atomic.atomic_file(path, root) as f:
            frame.to_parquet(f)
        schema = pq.read_schema(path)
        empty = schema.empty_table().to_pandas()
        ranges = (schema.pandas_metadata or {}).get("index_columns", [])
        index = frame.index
        same = (list(empty.columns) == list(frame.columns)
                and empty.columns.dtype == frame.columns.dtype
                and all(_same_dtype(a, b) for a, b in zip(empty.dtypes, frame.dtypes))
                and ranges == [{"kind": "range", "name": index.name, "start": index.start,
                                "stop": index.stop, "step": index.step}])
    except atomic.LeadsOutside:
        raise
    except Exception:  # noqa: BLE001 - any failure (pyarrow missing, a type it refuses)
        same = False
    if not same:
        if os.path.exists(path):
            os.remove(path)
        return None
    return {"format": "parquet", "file": os.path.basename(path)}


def read_parquet(path: str) -> Any:
    import pandas as pd

    return pd.read_parquet(path)
