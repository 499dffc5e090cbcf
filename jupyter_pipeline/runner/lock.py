"""dvc.lock, read and written in DVC's own format: a stage's entry, and what differs from it
(hashes: hashing.py)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from ..runtime import atomic
from .hashing import HashCache, hash_entry
from .spec import StageSpec


def _yaml() -> YAML:
    y = YAML()
    y.default_flow_style = False
    return y


def read_lock(path: Path) -> tuple[dict[str, Any], str | None]:
    """(stages, warning). A missing lock is empty; a corrupt one is empty with a warning."""
    if not path.exists():
        return {}, None
    try:
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
        stages = data.get("stages", {}) if isinstance(data, dict) else None
        if not isinstance(stages, dict):
            raise ValueError("no 'stages' mapping")
        return stages, None
    except Exception as exc:  # noqa: BLE001 - any unreadable lock is treated as absent
        return {}, (f"'{path}' cannot be read ({type(exc).__name__}: {exc}); treating it as "
                    "absent, so every stage runs and the file is written anew")


def write_lock(path: Path, stages: dict[str, Any], order: list[str], within: Path) -> None:
    """Replace dvc.lock atomically, inside the repository `within` (runtime/atomic.py): an
    interrupted or failed write leaves the old file whole."""
    ordered = {name: stages[name] for name in order if name in stages}
    text = io.StringIO()
    _yaml().dump({"schema": "2.0", "stages": ordered}, text)
    atomic.write_file(path, text.getvalue(), within)


def param_values(spec: StageSpec, root: Path) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """({params file: {key: value}}, missing 'file:key' names) as dvc.lock lists them."""
    out: dict[str, dict[str, Any]] = {}
    missing: list[str] = []
    loaded: dict[str, Any] = {}
    for file, keys in spec.params:
        full = root / spec.root_path(file)
        if file not in loaded:
            try:
                loaded[file] = YAML(typ="safe").load(full.read_text(encoding="utf-8")) or {}
            except FileNotFoundError:
                loaded[file] = None
        data = loaded[file]
        if data is None:
            missing.append(f"{file} (the file does not exist)")
            continue
        if keys is None:
            out[file] = dict(data)
            continue
        values = out.setdefault(file, {})
        for key in keys:
            node: Any = data
            for part in key.split("."):
                if isinstance(node, dict) and part in node:
                    node = node[part]
                else:
                    missing.append(f"{file}:{key}")
                    break
            else:
                values[key] = node
    return out, missing


def stage_entry(spec: StageSpec, root: Path, cache: HashCache, repository: Path
                ) -> dict[str, Any]:
    """The dvc.lock entry for the stage as the workspace is now. Its outputs are read only
    inside `repository` (atomic.LeadsOutside otherwise); dependencies may lie anywhere, as
    DVC's may."""
    def entries(paths: list[str], inside: Path | None = None) -> list[dict]:
        found = []
        for p in sorted(set(paths)):
            e = hash_entry(root / spec.root_path(p), p, cache, inside)
            if e is not None:
                found.append(e)
        return found

    entry: dict[str, Any] = {"cmd": list(spec.cmd) if spec.cmd_is_list else spec.cmd[0]}
    deps = entries(list(spec.deps))
    if deps:
        entry["deps"] = deps
    params, _ = param_values(spec, root)
    if params:
        entry["params"] = params
    outs = entries([o.path for o in spec.outs], repository)
    if outs:
        entry["outs"] = outs
    return entry


def differences(spec: StageSpec, locked: dict[str, Any] | None, root: Path,
                cache: HashCache) -> str | None:
    """Why the stage must run (first difference found), or None when dvc.lock matches."""
    if not locked:
        return "no entry in dvc.lock"
    cmd = locked.get("cmd")
    cmd_list = cmd if isinstance(cmd, list) else [cmd]
    if [str(c) for c in cmd_list] != list(spec.cmd):
        return "its command changed"
    locked_deps = {e.get("path"): e for e in locked.get("deps") or []}
    for d in spec.deps:
        now = hash_entry(root / spec.root_path(d), d, cache)
        before = locked_deps.get(d)
        if now is None:
            return f"dependency '{d}' is missing"
        if before is None or before.get("md5") != now["md5"]:
            return f"dependency '{d}' changed"
    if set(locked_deps) - set(spec.deps):
        return "its dependencies changed"
    params, _ = param_values(spec, root)
    if (locked.get("params") or {}) != params:
        for file, values in params.items():
            for key, value in values.items():
                if (locked.get("params") or {}).get(file, {}).get(key, object()) != value:
                    return f"parameter '{key}' changed"
        return "its parameters changed"
    locked_outs = {e.get("path"): e for e in locked.get("outs") or []}
    for o in spec.outs:
        now = hash_entry(root / spec.root_path(o.path), o.path, cache)
        before = locked_outs.get(o.path)
        if now is None:
            return f"output '{o.path}' is missing"
        if before is None or before.get("md5") != now["md5"]:
            return f"output '{o.path}' changed"
    return None
