"""Save a stage's values for later stages, and load them there.

The format follows the value's runtime type: a DataFrame becomes parquet (when it reads back
equal), an ndarray .npy, JSON-native data .json, a module a reference to re-import, anything
else a pickle. Values that share objects (`data = [train, test]`) are pickled together so that
a later stage sees the same sharing the notebook had. Each stage's folder has an `index.json`
saying which file holds which name.
"""

from __future__ import annotations

import json
import os
import pickle
import sys
import types
from typing import Any, Iterable, Mapping

INDEX = "index.json"
_loaded: dict[str, dict[str, Any]] = {}  # folder -> {file: loaded object}, keeps sharing intact


class HandoffError(Exception):
    """A value cannot be handed from one stage to another; the message says what to do."""


def _is_json_native(value: Any, depth: int = 0) -> bool:
    if depth > 50:
        return False
    if value is None or type(value) in (bool, int, str):
        return True
    if type(value) is float:
        return value == value and value not in (float("inf"), float("-inf"))
    if type(value) is list:
        return all(_is_json_native(v, depth + 1) for v in value)
    if type(value) is dict:
        return all(type(k) is str and _is_json_native(v, depth + 1) for k, v in value.items())
    return False


def _object_ids(value: Any, limit: int = 10_000) -> set[int]:
    """Ids of the value and the objects inside its containers (bounded)."""
    ids: set[int] = set()
    stack = [value]
    while stack and len(ids) < limit:
        v = stack.pop()
        if id(v) in ids or v is None or isinstance(v, (bool, int, float, str, bytes)):
            continue
        ids.add(id(v))
        owner = _array_owner(v)
        if owner is not None and owner is not v:
            ids.add(id(owner))  # a numpy view shares its owner's memory
        if isinstance(v, (list, tuple, set, frozenset)):
            stack.extend(v)
        elif isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(getattr(v, "__dict__", None), dict) \
                and not isinstance(v, (type, types.ModuleType)) \
                and not type(v).__module__.startswith(("pandas", "numpy")):
            # an object keeps others as attributes: a pipeline its scaler, a bag its list
            stack.extend(vars(v).values())
    return ids


def _array_owner(value: Any) -> Any:
    """The ndarray whose memory a numpy array uses (itself when it owns it), else None."""
    if type(value).__module__ != "numpy" or type(value).__name__ != "ndarray":
        return None
    while type(value.base).__name__ == "ndarray":
        value = value.base
    return value


class _ArrayView:
    """A numpy array saved as a window on another array's memory, so that a view made in one
    stage (`half = arr[:2]`) still changes `arr` in the next."""

    def __init__(self, owner: str, offset: int, shape: tuple, strides: tuple, dtype: Any):
        self.owner, self.offset, self.shape, self.strides, self.dtype = \
            owner, offset, shape, strides, dtype


_OWNER = "\0owner:"


def _pack_views(values: dict[str, Any]) -> dict[str, Any]:
    """Arrays of the group that share memory: their owner once, and each as a window on it."""
    owners: dict[int, list[str]] = {}
    for name, v in values.items():
        owner = _array_owner(v)
        if owner is not None and owner.flags.c_contiguous and not owner.dtype.hasobject:
            owners.setdefault(id(owner), []).append(name)
    packed = dict(values)
    for names in owners.values():
        if len(names) < 2:
            continue
        owner = _array_owner(values[names[0]])
        key = f"{_OWNER}{names[0]}"
        packed[key] = owner
        start = owner.__array_interface__["data"][0]
        for name in names:
            v = values[name]
            packed[name] = _ArrayView(key, v.__array_interface__["data"][0] - start, v.shape,
                                      v.strides, v.dtype)
    return packed


def _unpack_views(packed: dict[str, Any]) -> dict[str, Any]:
    if not any(isinstance(v, _ArrayView) for v in packed.values()):
        return packed
    import numpy as np

    values = {k: v for k, v in packed.items() if not k.startswith(_OWNER)}
    for name, v in values.items():
        if isinstance(v, _ArrayView):
            values[name] = np.ndarray(v.shape, v.dtype, buffer=packed[v.owner], offset=v.offset,
                                      strides=v.strides)
    return values


def _sharing_groups(values: Mapping[str, Any]) -> list[list[str]]:
    """Names whose values share objects, grouped (union-find over object ids)."""
    owner: dict[int, str] = {}
    parent = {name: name for name in values}

    def find(n: str) -> str:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for name in sorted(values):
        for oid in _object_ids(values[name]):
            other = owner.setdefault(oid, name)
            if other != name:
                parent[find(name)] = find(other)
    groups: dict[str, list[str]] = {}
    for name in sorted(values):
        groups.setdefault(find(name), []).append(name)
    return list(groups.values())


def _write_atomic(path: str, data: bytes) -> None:
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def _frame_roundtrips(frame: Any, path: str) -> bool:
    """Write parquet and read it back; keep it only when nothing changed (dtypes, index)."""
    try:
        import pandas as pd

        frame.to_parquet(path)
        back = pd.read_parquet(path)
        same = (
            back.equals(frame)
            and list(back.dtypes) == list(frame.dtypes)
            and back.index.equals(frame.index)
            and back.index.dtype == frame.index.dtype
            and list(back.columns) == list(frame.columns)
            and type(back.columns) is type(frame.columns)
            and back.attrs == frame.attrs
        )
    except Exception:  # noqa: BLE001 - any failure means: use pickle instead
        same = False
    if not same and os.path.exists(path):
        os.remove(path)
    return same


def _save_one(folder: str, name: str, value: Any) -> dict[str, str]:
    if isinstance(value, types.ModuleType):
        return {"format": "module", "module": value.__name__}
    module = type(value).__module__
    if module.startswith("pandas") and type(value).__name__ == "DataFrame":
        if _frame_roundtrips(value, os.path.join(folder, f"{name}.parquet")):
            return {"format": "parquet", "file": f"{name}.parquet"}
    if module == "numpy" and type(value).__name__ == "ndarray" and value.dtype != object:
        import numpy as np

        np.save(os.path.join(folder, f"{name}.npy"), value, allow_pickle=False)
        return {"format": "npy", "file": f"{name}.npy"}
    if _is_json_native(value):
        text = json.dumps(value, indent=1, sort_keys=False, ensure_ascii=False)
        _write_atomic(os.path.join(folder, f"{name}.json"), text.encode("utf-8"))
        return {"format": "json", "file": f"{name}.json"}
    return {"format": "pickle", "file": f"{name}.pkl"}


def _pickle(path: str, obj: Any, names: list[str], stage: str,
            needed_by: Mapping[str, Iterable[str]]) -> None:
    try:
        data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # noqa: BLE001 - pickle raises many types; all mean the same
        name = names[0] if len(names) == 1 else ", ".join(names)
        later = sorted({s for n in names for s in needed_by.get(n, ())})
        kinds = ", ".join(f"'{n}' is a {type(_peek(obj, n, names)).__name__}" for n in names)
        raise HandoffError(
            f"'{name}' cannot be handed from stage '{stage}' to stage "
            f"{', '.join(repr(s) for s in later) or 'a later stage'}: {kinds}, and it cannot be "
            f"saved ({type(exc).__name__}: {exc}). Either keep the code that creates and uses "
            f"it in one stage, or recreate the object in the later stage from values that can "
            f"be saved."
        ) from None
    _write_atomic(path, data)


def _peek(obj: Any, name: str, names: list[str]) -> Any:
    return obj[name] if len(names) > 1 else obj


def save(folder: str, values: Mapping[str, Any], stage: str = "",
         needed_by: Mapping[str, Iterable[str]] | None = None) -> None:
    """Write `values` into `folder` (created), with an index of what went where."""
    needed_by = needed_by or {}
    os.makedirs(folder, exist_ok=True)
    index: dict[str, dict[str, Any]] = {}
    for group in _sharing_groups(values):
        if len(group) > 1:
            file = "+".join(group)[:120] + ".pkl"
            _pickle(os.path.join(folder, file), _pack_views({n: values[n] for n in group}),
                    group, stage, needed_by)
            for n in group:
                index[n] = {"format": "pickle-group", "file": file}
            continue
        name = group[0]
        entry = _save_one(folder, name, values[name])
        if entry["format"] == "pickle":
            _pickle(os.path.join(folder, entry["file"]), values[name], [name], stage, needed_by)
        index[name] = entry
    text = json.dumps({k: index[k] for k in sorted(index)}, indent=1)
    _write_atomic(os.path.join(folder, INDEX), text.encode("utf-8"))


def load(folder: str, name: str, stand_ins: bool = False) -> Any:
    """The value `name` saved by an earlier stage into `folder`. `stand_ins`: outside the
    notebook (nb2pipe verify comparing values), a class or function the notebook defined is
    replaced by a stand-in class of the same name, so its instances load with their state."""
    try:
        with open(os.path.join(folder, INDEX), encoding="utf-8") as f:
            index = json.load(f)
    except FileNotFoundError:
        raise HandoffError(
            f"'{folder}' has no saved values: run the stage that writes it first "
            "(nb2pipe run, or dvc repro)") from None
    if name not in index:
        raise HandoffError(f"'{name}' is not among the values saved in '{folder}'; "
                           "convert the notebook again, then re-run the pipeline")
    entry = index[name]
    fmt = entry["format"]
    if fmt == "module":
        import importlib

        return importlib.import_module(entry["module"])
    path = os.path.join(folder, entry["file"])
    cache = _loaded.setdefault(os.path.abspath(folder), {})
    key = f"{path}:{os.stat(path).st_mtime_ns}:{stand_ins}"
    if key not in cache:
        cache[key] = _read(fmt, path, stand_ins)
        if fmt == "pickle-group":
            cache[key] = _unpack_views(cache[key])
    obj = cache[key]
    return obj[name] if fmt == "pickle-group" else obj


_STAND_INS: dict[tuple[str, str], type] = {}


class _StandInUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        try:
            return super().find_class(module, name)
        except AttributeError:
            if module != "__main__":
                raise
            return _STAND_INS.setdefault((module, name), type(name, (), {"__module__": module}))


def _read(fmt: str, path: str, stand_ins: bool = False) -> Any:
    if fmt == "parquet":
        import pandas as pd

        return pd.read_parquet(path)
    if fmt == "npy":
        import numpy as np

        return np.load(path, allow_pickle=False)
    if fmt == "json":
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    with open(path, "rb") as f:
        try:
            return _StandInUnpickler(f).load() if stand_ins else pickle.load(f)
        except AttributeError as exc:
            raise HandoffError(
                f"'{path}' holds an object of a class or function defined in the notebook "
                f"that this stage does not define ({exc}). Call or mention that class in this "
                "stage so nb2pipe re-defines it, or convert the object to plain data") from None


# "@module" names: a module's hidden state (model.pipeline.SEEDING_CALLS says which), read and
# restored with the module's own functions.
_MODULE_STATES = {
    "@numpy.random": ("numpy.random", "get_state", "set_state"),
    "@random": ("random", "getstate", "setstate"),
}


def _state_functions(name: str) -> tuple[Any, Any]:
    import importlib

    module, getter, setter = _MODULE_STATES[name]
    loaded = importlib.import_module(module)
    return getattr(loaded, getter), getattr(loaded, setter)


def module_state(name: str) -> Any:
    """The current state of a module's global random generator, to hand on."""
    return _state_functions(name)[0]()


def set_module_state(name: str, state: Any) -> None:
    """Continue a module's global random generator from where an earlier stage left it."""
    _state_functions(name)[1](state)


def save_metrics(path: str, values: Mapping[str, Any]) -> None:
    """DVC metrics: numbers, booleans, strings and dicts of them; other values are left out."""
    def scalar(v: Any) -> Any:
        if hasattr(v, "item") and callable(v.item) and getattr(v, "ndim", 1) == 0:
            v = v.item()  # numpy scalars
        if v is None or isinstance(v, (bool, int, float, str)):
            return v
        if isinstance(v, dict):
            inner = {str(k): scalar(x) for k, x in v.items()}
            inner = {k: x for k, x in inner.items() if x is not _SKIP}
            return inner if inner else _SKIP
        return _SKIP

    out = {k: scalar(v) for k, v in values.items()}
    out = {k: v for k, v in out.items() if v is not _SKIP}
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    _write_atomic(path, (json.dumps(out, indent=1, sort_keys=True) + "\n").encode("utf-8"))


_SKIP = object()


def read_params(path: str, defaults: Mapping[str, Any]) -> dict[str, Any]:
    """For standalone scripts: the parameters from params.yaml (YAML 1.2), else the defaults."""
    values = dict(defaults)
    if os.path.exists(path):
        from ruamel.yaml import YAML

        with open(path, encoding="utf-8") as f:
            data = YAML(typ="safe").load(f) or {}
        values.update({k: data[k] for k in defaults if k in data})
    return values


def _main() -> None:  # pragma: no cover - debugging aid: python -m ...handoff FOLDER
    folder = sys.argv[1]
    with open(os.path.join(folder, INDEX), encoding="utf-8") as f:
        print(json.dumps(json.load(f), indent=1))


if __name__ == "__main__":  # pragma: no cover
    _main()
