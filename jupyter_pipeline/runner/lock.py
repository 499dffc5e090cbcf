"""dvc.lock, read and written in DVC's own format, with hashes computed as DVC computes them.

File md5 = MD5 of the bytes. Directory md5 = MD5 of `json.dumps([{"md5", "relpath"}...],
sort_keys=True)` over its files sorted by relpath, plus ".dir" (dvc-data's Tree.as_bytes).
Hashes are cached by (size, mtime, inode), as DVC's state database does, so an unchanged 1 GB
file is not read again.
"""

from __future__ import annotations

import configparser
import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from .spec import StageSpec

_CHUNK = 1 << 20


def dvc_repo(start: Path) -> Path | None:
    """The DVC repository that holds `start`: the nearest folder at or above it with a `.dvc`
    folder, as DVC itself finds it (a pipeline often lives in a sub-folder of the repository)."""
    for folder in (start.resolve(), *start.resolve().parents):
        if (folder / ".dvc").is_dir():
            return folder
    return None


def dvc_cache_dir(repo: Path) -> Path:
    """The repository's cache: `.dvc/cache`, or the `cache.dir` its config names (relative to
    `.dvc/`, as DVC reads it); config.local wins over config, as in DVC."""
    cache_dir = repo / ".dvc" / "cache"
    for name in ("config", "config.local"):
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        try:  # DVC writes configobj files with indented keys, which configparser reads unindented
            text = (repo / ".dvc" / name).read_text(encoding="utf-8")
            parser.read_string("\n".join(line.strip() for line in text.splitlines()))
        except (OSError, configparser.Error):
            continue
        if parser.has_option("cache", "dir"):
            cache_dir = (repo / ".dvc" / parser.get("cache", "dir")).resolve()
    return cache_dir


class HashCache:
    def __init__(self, root: Path) -> None:
        repo = dvc_repo(root)
        folder = repo / ".dvc" / "tmp" if repo else root / ".nb2pipe"
        self.path = folder / "nb2pipe-hashes.json"
        try:
            self.entries: dict[str, list] = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.entries = {}
        self.dirty = False

    def file_md5(self, path: Path) -> tuple[str, int]:
        st = path.stat()
        key = str(path.resolve())
        stamp = [st.st_size, st.st_mtime_ns, st.st_ino]
        known = self.entries.get(key)
        if known and known[:3] == stamp:
            return known[3], st.st_size
        digest = hashlib.md5()
        with open(path, "rb") as f:
            while chunk := f.read(_CHUNK):
                digest.update(chunk)
        md5 = digest.hexdigest()
        self.entries[key] = stamp + [md5]
        self.dirty = True
        return md5, st.st_size

    def save(self) -> None:
        if not self.dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(f".tmp-{os.getpid()}")
        tmp.write_text(json.dumps(self.entries), encoding="utf-8")
        os.replace(tmp, self.path)
        self.dirty = False


def hash_entry(path: Path, shown: str, cache: HashCache) -> dict[str, Any] | None:
    """DVC's lock entry for a file or directory, or None when it does not exist."""
    if path.is_file():
        md5, size = cache.file_md5(path)
        return {"path": shown, "hash": "md5", "md5": md5, "size": size}
    if path.is_dir():
        files = []
        total = 0
        for dirpath, dirnames, filenames in os.walk(path):
            dirnames[:] = [d for d in dirnames if d not in (".git", ".dvc")]
            for name in filenames:
                full = Path(dirpath) / name
                md5, size = cache.file_md5(full)
                total += size
                files.append({"md5": md5, "relpath": full.relative_to(path).as_posix()})
        files.sort(key=lambda e: e["relpath"])
        md5 = hashlib.md5(json.dumps(files, sort_keys=True).encode("utf-8")).hexdigest()
        return {"path": shown, "hash": "md5", "md5": f"{md5}.dir", "size": total,
                "nfiles": len(files)}
    return None


def _cache_object(cache_dir: Path, md5: str) -> Path:
    return cache_dir / "files" / "md5" / md5[:2] / md5[2:]


def _store(source: Path | None, data: bytes | None, target: Path) -> None:
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    if source is not None:
        shutil.copyfile(source, tmp)
    else:
        tmp.write_bytes(data or b"")
    os.chmod(tmp, 0o444)
    os.replace(tmp, target)


def store_in_dvc_cache(root: Path, path: Path, cache: HashCache) -> None:
    """Put an output into DVC's cache as `dvc repro` does (a copy, read-only, named by md5), so
    that `dvc status` and `dvc checkout` find it. Nothing to do outside a DVC repository."""
    repo = dvc_repo(root)
    if repo is None:
        return
    cache_dir = dvc_cache_dir(repo)
    if path.is_file():
        md5, _ = cache.file_md5(path)
        _store(path, None, _cache_object(cache_dir, md5))
    elif path.is_dir():
        entries = []
        for dirpath, dirnames, filenames in os.walk(path):
            dirnames[:] = [d for d in dirnames if d not in (".git", ".dvc")]
            for name in filenames:
                full = Path(dirpath) / name
                md5, _ = cache.file_md5(full)
                _store(full, None, _cache_object(cache_dir, md5))
                entries.append({"md5": md5, "relpath": full.relative_to(path).as_posix()})
        entries.sort(key=lambda e: e["relpath"])
        listing = json.dumps(entries, sort_keys=True).encode("utf-8")
        md5 = hashlib.md5(listing).hexdigest() + ".dir"
        _store(None, listing, _cache_object(cache_dir, md5))


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


def write_lock(path: Path, stages: dict[str, Any], order: list[str]) -> None:
    ordered = {name: stages[name] for name in order if name in stages}
    data = {"schema": "2.0", "stages": ordered}
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as f:
        _yaml().dump(data, f)
    os.replace(tmp, path)


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


def stage_entry(spec: StageSpec, root: Path, cache: HashCache) -> dict[str, Any]:
    """The dvc.lock entry for the stage as the workspace is now."""
    def entries(paths: list[str]) -> list[dict]:
        found = []
        for p in sorted(set(paths)):
            e = hash_entry(root / spec.root_path(p), p, cache)
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
    outs = entries([o.path for o in spec.outs])
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
