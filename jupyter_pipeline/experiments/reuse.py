"""Edge: stages a combination need not run, because their outputs are known.

Like DVC's run-cache: a stage's result is decided by its command, its dependencies' hashes and
its parameters' values. Before a combination runs, its scratch gets (1) the outputs its
dvc.lock names, restored from DVC's cache (the workspace's last run), and (2) for a stage whose
inputs now differ from dvc.lock, the outputs and lock entry of an earlier combination whose
stage had exactly these inputs. The runner then finds those stages up to date and skips them;
the others run as usual. Outputs with `cache: false` are not in DVC's cache: they are kept
here (a file's bytes) for the length of the sweep."""

from __future__ import annotations

import json
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..runner import lock as lockfile
from ..runner.hashing import HashCache, hash_entry
from ..runner.spec import StageSpec


@dataclass(frozen=True)
class Known:
    """A stage's dvc.lock entry and the bytes of its outputs DVC does not cache."""

    entry: dict[str, Any]
    uncached: tuple[tuple[str, bytes], ...]


def _cache_object(cache_dir: Path, md5: str) -> Path:
    return cache_dir / "files" / "md5" / md5[:2] / md5[2:]


def _copy_out(cache_dir: Path, md5: str, target: Path) -> bool:
    """Materialise one output (file or `.dir`) from DVC's cache; False when it is not there."""
    source = _cache_object(cache_dir, md5)
    if not source.is_file():
        return False
    if md5.endswith(".dir"):
        listing = json.loads(source.read_text(encoding="utf-8"))
        if not all(_cache_object(cache_dir, e["md5"]).is_file() for e in listing):
            return False
        for e in listing:
            dest = target / e["relpath"]
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(_cache_object(cache_dir, e["md5"]), dest)
        target.mkdir(parents=True, exist_ok=True)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return True


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def _cached_paths(spec: StageSpec) -> dict[str, bool]:
    return {o.path: o.cache for o in spec.outs}


def restore_locked(root: Path, specs: list[StageSpec], cache_dir: Path) -> None:
    """(1): the cached outputs dvc.lock names and the scratch lacks."""
    locked, _ = lockfile.read_lock(root / "dvc.lock")
    for spec in specs:
        cached = _cached_paths(spec)
        for out in (locked.get(spec.name) or {}).get("outs") or []:
            path, md5 = out.get("path"), out.get("md5")
            if not cached.get(path) or not md5:
                continue
            target = root / spec.root_path(path)
            if not target.exists():
                _copy_out(cache_dir, md5, target)


def _inputs(entry: dict[str, Any]) -> str:
    """What decides a stage's result, as one comparable text."""
    return json.dumps({"cmd": entry.get("cmd"),
                       "deps": sorted((d.get("path"), d.get("md5"))
                                      for d in entry.get("deps") or []),
                       "params": entry.get("params") or {}}, sort_keys=True, default=str)


def _current_inputs(spec: StageSpec, root: Path, cache: HashCache) -> dict[str, Any]:
    entry: dict[str, Any] = {"cmd": list(spec.cmd) if spec.cmd_is_list else spec.cmd[0]}
    entry["deps"] = [e for d in sorted(set(spec.deps))
                     if (e := hash_entry(root / spec.root_path(d), d, cache)) is not None]
    params, _ = lockfile.param_values(spec, root)
    entry["params"] = params
    return entry


class StageMemo:
    """Results of the stages the sweep's combinations computed, by their inputs."""

    def __init__(self, cache_dir: Path) -> None:
        self.cache_dir = cache_dir
        self.known: dict[str, Known] = {}
        self.lock = threading.Lock()

    def record(self, root: Path, specs: list[StageSpec]) -> None:
        """After a combination succeeded: remember each stage's result."""
        locked, _ = lockfile.read_lock(root / "dvc.lock")
        for spec in specs:
            entry = locked.get(spec.name)
            if not entry:
                continue
            uncached = []
            for out in spec.outs:
                if out.cache:
                    continue
                path = root / spec.root_path(out.path)
                if not path.is_file():
                    break  # an uncached folder: not kept, the stage runs again
                uncached.append((out.path, path.read_bytes()))
            else:
                with self.lock:
                    self.known[_inputs(entry)] = Known(entry, tuple(uncached))

    def apply(self, root: Path, specs: list[StageSpec], order: list[str]) -> list[str]:
        """(2), in run order (a restored stage's outputs are the next one's inputs); writes
        dvc.lock. Returns the stages reused from earlier combinations."""
        by_name = {s.name: s for s in specs}
        locked, _ = lockfile.read_lock(root / "dvc.lock")
        cache = HashCache(root)
        reused = []
        for name in order:
            spec = by_name[name]
            now = _inputs(_current_inputs(spec, root, cache))
            if locked.get(name) and _inputs(locked[name]) == now:
                continue
            with self.lock:
                known = self.known.get(now)
            if known is None or not self._restore(spec, root, known):
                continue
            locked[name] = known.entry
            reused.append(name)
        if reused:
            lockfile.write_lock(root / "dvc.lock", locked, [s.name for s in specs], root)
        return reused

    def _restore(self, spec: StageSpec, root: Path, known: Known) -> bool:
        cached = _cached_paths(spec)
        outs = [o for o in known.entry.get("outs") or [] if cached.get(o.get("path"))]
        if not all(_cache_object(self.cache_dir, o["md5"]).is_file() for o in outs):
            return False
        for out in spec.outs:
            _remove(root / spec.root_path(out.path))
        for o in outs:
            if not _copy_out(self.cache_dir, o["md5"], root / spec.root_path(o["path"])):
                return False
        for path, data in known.uncached:
            target = root / spec.root_path(path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        return True


def topological(specs: list[StageSpec], edges: dict[str, list[str]]) -> list[str]:
    order: list[str] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        for up in edges.get(name, []):
            visit(up)
        order.append(name)

    for s in specs:
        visit(s.name)
    return order


__all__ = ["StageMemo", "restore_locked", "topological"]
