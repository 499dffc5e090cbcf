"""Edge: outputs put into DVC's cache as `dvc repro` puts them, so `dvc status` and `dvc checkout`
find them."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from .hashing import HashCache
from .repository import dvc_cache_dir, dvc_repo


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
