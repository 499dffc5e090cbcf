"""Edge: file and directory hashes as DVC computes them, cached by (size, mtime, inode) as DVC's
state database does, so an unchanged 1 GB file is not read again.

File md5 = MD5 of the bytes. Directory md5 = MD5 of `json.dumps([{"md5", "relpath"}...],
sort_keys=True)` over its files sorted by relpath, plus ".dir" (dvc-data's Tree.as_bytes).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from ..runtime import atomic
from .repository import dvc_repo

_CHUNK = 1 << 20


class HashCache:
    def __init__(self, root: Path) -> None:
        repo = dvc_repo(root)
        self._within = repo if repo else root
        self.path = (repo / ".dvc" / "tmp" if repo else root / ".nb2pipe") / "nb2pipe-hashes.json"
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
        atomic.make_folders(self.path.parent, self._within)
        atomic.write_file(self.path, json.dumps(self.entries), self._within)
        self.dirty = False


def hash_entry(path: Path, shown: str, cache: HashCache, inside: Path | None = None
               ) -> dict[str, Any] | None:
    """DVC's lock entry for a file or directory, or None when it does not exist. `inside`: for
    an output, the repository it stays in: the output, or a file in it, that leads elsewhere
    (a link the stage made) raises atomic.LeadsOutside, checked as each file is read."""
    if inside is not None:
        atomic.check_inside(path, inside)
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
                if inside is not None:
                    atomic.check_inside(full, inside)
                md5, size = cache.file_md5(full)
                total += size
                files.append({"md5": md5, "relpath": full.relative_to(path).as_posix()})
        files.sort(key=lambda e: e["relpath"])
        md5 = hashlib.md5(json.dumps(files, sort_keys=True).encode("utf-8")).hexdigest()
        return {"path": shown, "hash": "md5", "md5": f"{md5}.dir", "size": total,
                "nfiles": len(files)}
    return None
