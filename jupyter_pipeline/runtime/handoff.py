"""Save a stage's values for later stages, and load them there.

The format follows the value's runtime type, and a fast format is used only where it gives
back exactly what the notebook had (formats.py): a DataFrame of a simple shape becomes parquet,
an ndarray .npy, plain data .json, a module a reference to re-import, anything else a pickle
that keeps views, read-only arrays and notebook classes (exact_pickle.py). Values that share
objects (`data = [train, test]`) are pickled together (sharing.py) so that a later stage sees
the same sharing the notebook had. Each stage's folder has an `index.json` saying which file
holds which name.
"""

from __future__ import annotations

import json
import os
import sys
import types
from pathlib import Path
from typing import Any, Iterable, Mapping

from . import atomic, exact_pickle, formats, remote, sharing

INDEX = "index.json"
_loaded: dict[str, dict[str, Any]] = {}  # folder -> {file: loaded object}, keeps sharing intact
_received: dict[tuple[str, str], Any] = {}  # (folder, name) -> what this process loaded
_ALL = "_all-values.pkl"  # every value of a stage in one pickle, when sharing cannot be told


class HandoffError(Exception):
    """A value cannot be handed from one stage to another; the message says what to do."""


def _write_atomic(path: str, data: bytes) -> None:
    atomic.write_file(path, data, _root(path))


def _root(path: str) -> Path:
    """What a stage's writes stay inside (atomic.stage_root): never through a link the stage
    made to elsewhere."""
    return atomic.stage_root(_START or os.getcwd(), path)


def _fast(folder: str, name: str, value: Any) -> dict[str, Any] | None:
    """The index entry of `value` written in a fast format, or None: pickle it."""
    if formats.parquet_fits(value):
        return formats.write_parquet(os.path.join(folder, f"{name}.parquet"), value,
                                     _root(folder))
    if formats.npy_fits(value):
        return formats.write_npy(os.path.join(folder, f"{name}.npy"), value, _root(folder))
    data = formats.json_bytes(value)
    if data is not None:
        _write_atomic(os.path.join(folder, f"{name}.json"), data)
        return {"format": "json", "file": f"{name}.json"}
    return None


def _later(names: Iterable[str], needed_by: Mapping[str, Iterable[str]]) -> str:
    later = sorted({s for n in names for s in needed_by.get(n, ())})
    return ", ".join(repr(s) for s in later) or "a later stage"


_CONTAINERS = (list, tuple, dict, set, frozenset)


def _made_inside(f: Any) -> bool:
    qualname = getattr(f, "__qualname__", "")
    return isinstance(f, types.FunctionType) and ("<lambda>" in qualname or "<locals>" in qualname)


def _why(value: Any) -> str:
    """What in the value cannot be saved, for the kinds notebooks hold most often."""
    import collections
    import functools
    import io

    if isinstance(value, collections.defaultdict) and _made_inside(value.default_factory):
        return (" whose default_factory is a lambda or a function made inside another (a "
                "named top-level function, or int/list, can be saved)")
    if _made_inside(value):
        return " made by a lambda or inside another function (a top-level def can be saved)"
    if isinstance(value, functools.partial):
        return " of a function that cannot be saved"
    if isinstance(value, types.GeneratorType):
        return " (a generator runs only in the process that made it; a list can be saved)"
    if isinstance(value, io.IOBase):
        return " (an open file: open it again where it is used)"
    return ""


def _can_pickle(value: Any) -> bool:
    try:
        exact_pickle.dumps(value)
    except Exception:  # noqa: BLE001
        return False
    return True


def _pickle(path: str, obj: Any, names: list[str], stage: str,
            needed_by: Mapping[str, Iterable[str]]) -> None:
    try:
        data, notes = exact_pickle.dumps(obj)
    except Exception as exc:  # noqa: BLE001 - pickle raises many types; all mean the same
        culprit, holders = names[0], ""
        if len(names) > 1:  # which of the group cannot be saved: the value, not its holders
            failing = [n for n in names if not _can_pickle(obj[n])] or names
            culprit = next((n for n in failing if type(obj[n]) not in _CONTAINERS), failing[0])
            others = [n for n in failing if n != culprit]
            if others:
                holders = f" ({', '.join(repr(n) for n in others)} holds it too)"
        value = obj[culprit] if len(names) > 1 else obj
        raise HandoffError(
            f"'{culprit}' cannot be handed from stage '{stage}' to stage "
            f"{_later([culprit], needed_by)}: '{culprit}' is a {type(value).__name__}{holders}"
            f"{_why(value)}, and it cannot be saved ({type(exc).__name__}: {exc}). Either keep "
            "the code that creates and uses it in one stage, or recreate the object in the "
            "later stage from values that can be saved."
        ) from None
    for note in notes:
        print(f"nb2pipe: stage '{stage}', {' / '.join(names)}: {note}", file=sys.stderr)
    _write_atomic(path, data)


# The folder the stage started in (the stage's first cell calls start_here, before any of the
# notebook's cells run): handoff paths are relative to it, also after a cell's `os.chdir`. Not
# taken at import: a forked kernel imported this module before it was given its folder.
_START: str | None = None


def start_here() -> None:
    global _START
    _START = os.getcwd()


def _at_start(path: str) -> str:
    return path if _START is None or os.path.isabs(path) else os.path.join(_START, path)


def _remote(folder: str) -> str | None:
    """The storage URL of `folder` when handoffs go to remote storage (remote.py), else None."""
    try:
        return remote.url_of(folder, _START)
    except remote.StorageError as exc:
        raise HandoffError(str(exc)) from None


def save(folder: str, values: Mapping[str, Any], stage: str = "",
         needed_by: Mapping[str, Iterable[str]] | None = None) -> None:
    """Write `values` into `folder` (created), with an index of what went where."""
    folder = _at_start(folder)
    url = _remote(folder)
    if url is None:
        _save(folder, values, stage, needed_by)
        return
    import tempfile

    with tempfile.TemporaryDirectory(prefix="nb2pipe-save-") as scratch:
        _save(scratch, values, stage, needed_by)
        try:
            remote.upload(scratch, url)
        except remote.StorageError as exc:
            raise HandoffError(f"stage '{stage}': {exc}") from None


def _save(folder: str, values: Mapping[str, Any], stage: str,
          needed_by: Mapping[str, Iterable[str]] | None) -> None:
    needed_by = needed_by or {}
    atomic.make_folders(folder, _root(folder))
    index: dict[str, dict[str, Any]] = {}
    modules = {n for n, v in values.items() if isinstance(v, types.ModuleType)}
    for n in modules:
        index[n] = {"format": "module", "module": values[n].__name__}
    rest = {n: v for n, v in values.items() if n not in modules}
    groups = sharing.sharing_groups(rest)
    together = groups is None
    if groups is None:  # too many objects to tell what shares what: keep them all together
        groups = [sorted(rest)]
        if len(rest) > 1:
            print(f"nb2pipe: stage '{stage}': its values hold too many objects to tell which "
                  f"share some; all are saved in one pickle ({_ALL}) so that sharing is kept",
                  file=sys.stderr)
    for group in groups:
        if len(group) > 1:
            file = _ALL if together else "+".join(group)[:120] + ".pkl"
            _pickle(os.path.join(folder, file), {n: rest[n] for n in group}, group, stage,
                    needed_by)
            for n in group:
                index[n] = {"format": "pickle-group", "file": file}
            continue
        name = group[0]
        entry = _fast(folder, name, rest[name])
        if entry is None:
            entry = {"format": "pickle", "file": f"{name}.pkl"}
            _pickle(os.path.join(folder, entry["file"]), rest[name], [name], stage, needed_by)
        index[name] = entry
    text = json.dumps({k: index[k] for k in sorted(index)}, indent=1)
    _write_atomic(os.path.join(folder, INDEX), text.encode("utf-8"))
    _warn_split_sharing(rest, stage)


def _warn_split_sharing(values: Mapping[str, Any], stage: str) -> None:
    """A value handed on that shares objects with one this stage loaded and does not hand on
    (`best = max(rows)`, `rows` from an earlier stage): a stage that loads both gets two copies,
    so a change through one is not seen through the other as in the notebook. Say so."""
    others = {k: v for k, v in _received.items()
              if k[1] not in values and not isinstance(v, types.ModuleType)}
    if not others:
        return
    for name, (source, other) in sharing.shared_with(values, others):
        print(f"nb2pipe: stage '{stage}': '{name}' shares objects with '{other}', which this "
              f"stage loaded from '{source}' and does not hand on; a later stage that loads "
              f"both gets separate copies, so a change through one is not seen through the "
              f"other as it is in the notebook", file=sys.stderr)


def _nothing_saved(folder: str) -> HandoffError:
    return HandoffError(f"'{folder}' has no saved values: run the stage that writes it first "
                        "(nb2pipe run, or dvc repro)")


def load(folder: str, name: str, stand_ins: bool = False) -> Any:
    """The value `name` saved by an earlier stage into `folder`. `stand_ins`: outside the
    notebook (nb2pipe verify comparing values), a class or function the notebook defined is
    replaced by a stand-in class of the same name, so its instances load with their state."""
    folder = shown = _at_start(folder)
    url = _remote(folder)
    if url is not None:
        try:
            mirror = remote.fetch(url)
        except remote.StorageError as exc:
            raise HandoffError(str(exc)) from None
        if mirror is None:
            raise _nothing_saved(url)
        folder, shown = mirror, url
    try:
        with open(os.path.join(folder, INDEX), encoding="utf-8") as f:
            index = json.load(f)
    except FileNotFoundError:
        raise _nothing_saved(shown) from None
    if name not in index:
        raise HandoffError(f"'{name}' is not among the values saved in '{shown}'; "
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
        cache[key] = _read(entry, path, name, stand_ins)
    obj = cache[key]
    value = obj[name] if fmt == "pickle-group" else obj
    _received[(shown, name)] = value
    return value


def _read(entry: dict[str, Any], path: str, name: str, stand_ins: bool = False) -> Any:
    fmt = entry["format"]
    if fmt == "parquet":
        return formats.read_parquet(path)
    if fmt == "npy":
        return formats.read_npy(path, entry)
    if fmt == "json":
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    with open(path, "rb") as f:
        try:
            return exact_pickle.load(f, stand_ins)
        except AttributeError as exc:
            raise HandoffError(
                f"'{name}' (saved in '{path}') holds a function or class defined in the "
                f"notebook that this stage does not define ({exc}). Either keep the code that "
                "creates and uses it in one stage, or call that function in this stage so "
                "nb2pipe re-defines it here") from None


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


# The notebook's own module's globals: "@module:" + its name (analysis/own_modules.py).
_OWN_MODULE = "@module:"


def _own_module_values(name: str) -> dict[str, Any]:
    """The data a notebook's own module holds (its registries, counters, caches): its globals
    that are not modules, functions, classes or dunder names."""
    import importlib

    module = importlib.import_module(name[len(_OWN_MODULE):])
    code = (types.ModuleType, types.FunctionType, types.BuiltinFunctionType, type,
            types.GeneratorType)
    return {k: v for k, v in vars(module).items()
            if not (k.startswith("__") and k.endswith("__")) and not isinstance(v, code)
            and type(v).__module__ not in _PROCESS_RESOURCES}


# Modules whose objects are resources of the process (locks, open files, sockets,
# connections), not data: a module's own lock or connection is made again by its import.
_PROCESS_RESOURCES = frozenset({"_thread", "threading", "_io", "io", "socket", "ssl", "select",
                                "sqlite3", "_sqlite3", "multiprocessing", "_queue", "queue"})


def _set_own_module_values(name: str, values: Mapping[str, Any]) -> None:
    """Put an earlier stage's module data back; a list, dict or set is refilled in place, so
    that names the notebook imported from the module (`from m import REGISTRY`) still share it."""
    import importlib

    module = importlib.import_module(name[len(_OWN_MODULE):])
    for key, value in values.items():
        old = getattr(module, key, None)
        if type(old) is type(value) and isinstance(value, list):
            old[:] = value
        elif type(old) is type(value) and isinstance(value, (dict, set)):
            old.clear()
            old.update(value)
        else:
            setattr(module, key, value)


def module_state(name: str) -> Any:
    """The current state of a module's global random generator (or the data of the
    notebook's own module), to hand on."""
    if name.startswith(_OWN_MODULE):
        return _own_module_values(name)
    return _state_functions(name)[0]()


def set_module_state(name: str, state: Any) -> None:
    """Continue a module's global random generator (or the notebook's own module) from where
    an earlier stage left it."""
    if name.startswith(_OWN_MODULE):
        _set_own_module_values(name, state)
        return
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
    path = _at_start(path)
    atomic.make_folders(os.path.dirname(path) or ".", _root(path))
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
