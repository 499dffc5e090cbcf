"""Edge: outputs put into DVC's cache as `dvc repro` puts them, so `dvc status` and `dvc checkout`
find them."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from ..runtime import atomic
from .hashing import HashCache
from .repository import dvc_cache_dir, dvc_repo


def _cache_object(cache_dir: Path, md5: str) -> Path:
    return cache_dir / "files" / "md5" / md5[:2] / md5[2:]


def _store(source: Path | None, data: bytes | None, target: Path, cache_dir: Path,
           repository: Path) -> None:
    """One cache object, written atomically inside the cache (which `cache.dir` may put
    outside the repository), read-only as DVC makes them; its source read only inside the
    repository (a link the stage made to elsewhere raises atomic.LeadsOutside)."""
    if target.exists():
        return
    atomic.make_folders(target.parent, cache_dir)
    with atomic.atomic_file(target, cache_dir, mode=0o444) as f:
        if source is None:
            f.write(data or b"")
            return
        atomic.check_inside(source, repository)
        with open(source, "rb") as src:
            shutil.copyfileobj(src, f, 1 << 20)


def store_in_dvc_cache(root: Path, path: Path, cache: HashCache, repository: Path) -> None:
    """Put an output into DVC's cache as `dvc repro` does (a copy, read-only, named by md5), so
    that `dvc status` and `dvc checkout` find it. Nothing to do outside a DVC repository."""
    repo = dvc_repo(root)
    if repo is None:
        return
    cache_dir = dvc_cache_dir(repo)
    atomic.check_inside(path, repository)
    if path.is_file():
        md5, _ = cache.file_md5(path)
        _store(path, None, _cache_object(cache_dir, md5), cache_dir, repository)
    elif path.is_dir():
        entries = []
        for dirpath, dirnames, filenames in os.walk(path):
            dirnames[:] = [d for d in dirnames if d not in (".git", ".dvc")]
            for name in filenames:
                full = Path(dirpath) / name
                md5, _ = cache.file_md5(full)
                _store(full, None, _cache_object(cache_dir, md5), cache_dir, repository)
                entries.append({"md5": md5, "relpath": full.relative_to(path).as_posix()})
        entries.sort(key=lambda e: e["relpath"])
        listing = json.dumps(entries, sort_keys=True).encode("utf-8")
        md5 = hashlib.md5(listing).hexdigest() + ".dir"
        _store(None, listing, _cache_object(cache_dir, md5), cache_dir, repository)
