"""Edge: one run at a time per repository, and never beside a DVC command.

A run holds DVC's own repository lock (`.dvc/tmp/lock`, taken with DVC's lock class when DVC
is installed, so `core.hardlink_lock` is honoured) from planning to its last dvc.lock write, so
`dvc repro`, `dvc commit` and a second `nb2pipe run` (the terminal's or the panel's) refuse
while it runs. DVC itself lets go of that lock while a stage's command runs and marks the
stage's paths in `.dvc/tmp/rwlock` instead: a `dvc repro` that is inside a stage shows there,
and refuses this run too. A note beside the lock says which nb2pipe run holds it and since
when, for the refusal message. Outside a DVC repository the lock is `.nb2pipe/lock` of the
pipeline's folder.

Unlike `dvc repro`, the lock is held while stages compute (several at once with -j): DVC
commands that take it (`dvc status`, `dvc repro`) wait ~3 s, then refuse until the run ends.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from ..errors import Nb2PipeError
from ..lifetime import is_alive
from ..runtime import atomic
from .repository import dvc_flag, dvc_repo

_NOTE = "nb2pipe-run.json"
_RETRIES, _DELAY = 6, 0.5  # as DVC's Lock.lock: 3 s, for a `dvc status` that is just finishing


class RunRefused(Nb2PipeError):
    """Another run or DVC command holds the repository."""


@dataclass(frozen=True)
class Holder:
    """Who holds the repository lock, as far as can be told."""

    pid: int | None
    since: str | None  # local time, as the user's clock shows it
    command: str | None  # set when it is an nb2pipe run


def _lock_folder(root: Path) -> tuple[Path, Path | None]:
    """(folder of the lock, DVC repository or None)."""
    repo = dvc_repo(root)
    return (repo / ".dvc" / "tmp" if repo else root.resolve() / ".nb2pipe"), repo


class _FlockLock:
    """DVC's zc.lockfile lock (an exclusive flock on the file, " pid" written in it), for when
    DVC is not installed: then only nb2pipe runs exclude each other."""

    def __init__(self, path: Path) -> None:
        self._path, self._file = path, None

    def lock(self) -> None:
        import fcntl

        for attempt in range(_RETRIES + 1):
            f = open(self._path, "a+", encoding="utf-8")  # noqa: SIM115 - held while locked
            try:
                fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                f.close()
                if attempt == _RETRIES:
                    raise _Busy() from None
                time.sleep(_DELAY)
                continue
            f.seek(0)
            f.truncate()
            f.write(f" {os.getpid()}\n")
            f.flush()
            self._file = f
            return

    def unlock(self) -> None:
        if self._file is not None:
            self._file.close()  # closing releases the flock
            self._file = None


class _Busy(Exception):
    pass


def _repository_lock(path: Path, folder: Path, hardlink: bool):  # noqa: ANN202
    """(lock, exception it raises when held elsewhere)."""
    try:
        from dvc.lock import LockError, make_lock
    except ImportError:
        return _FlockLock(path), _Busy
    return make_lock(str(path), tmp_dir=str(folder), hardlink_lock=hardlink), LockError


def _holder(folder: Path) -> Holder:
    pid = None
    with contextlib.suppress(OSError, ValueError):
        pid = int((folder / "lock").read_text(encoding="utf-8").split()[0])
    try:
        note = json.loads((folder / _NOTE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        note = None
    if isinstance(note, dict) and (pid is None or note.get("pid") == pid):
        return Holder(note.get("pid"), note.get("since"), note.get("command"))
    since = None
    with contextlib.suppress(OSError):
        since = _local_time((folder / "lock").stat().st_mtime)
    return Holder(pid, since, None)


def _local_time(stamp: float) -> str:
    return datetime.fromtimestamp(stamp, timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")


def _refusal(holder: Holder, folder: Path) -> str:
    pid = f"pid {holder.pid}" if holder.pid else "pid unknown"
    since = f", since {holder.since}" if holder.since else ""
    if holder.command:
        who = f"another nb2pipe run is going in this repository ({pid}{since}: {holder.command})"
    else:
        who = (f"a DVC command holds the repository lock '{folder / 'lock'}' ({pid}{since}), "
               "for instance 'dvc repro'")
    stop = f" or stop it ('kill {holder.pid}')" if holder.pid else ""
    return f"{who}. Wait for it to finish{stop}, then run again. Nothing was run"


def _dvc_stage_running(folder: Path) -> str | None:
    """A live DVC process that is inside a stage's command (DVC's rwlock), described."""
    try:
        data = json.loads((folder / "rwlock").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    entries = []
    for infos in (data.get("write") or {}).values() if isinstance(data, dict) else []:
        entries.append(infos)
    for infos in (data.get("read") or {}).values() if isinstance(data, dict) else []:
        entries.extend(infos if isinstance(infos, list) else [infos])
    for info in entries:
        if isinstance(info, dict) and isinstance(info.get("pid"), int) \
                and info["pid"] != os.getpid() and is_alive(info["pid"]):
            return f"'{info.get('cmd', 'dvc')}' (pid {info['pid']})"
    return None


def _this_command() -> str:
    words = [Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python", *sys.argv[1:]]
    return shlex.join(words)


@contextlib.contextmanager
def exclusive_run(root: Path) -> Iterator[None]:
    """Hold the repository for one run; RunRefused, before anything is touched, when another
    run or a DVC command holds it."""
    folder, repo = _lock_folder(root)
    folder.mkdir(parents=True, exist_ok=True)
    hardlink = dvc_flag(repo, "core", "hardlink_lock")
    lock, busy = _repository_lock(folder / "lock", folder, hardlink)
    try:
        lock.lock()
    except busy:
        raise RunRefused(_refusal(_holder(folder), folder)) from None
    note = folder / _NOTE
    try:
        running = _dvc_stage_running(folder)
        if running:
            raise RunRefused(f"DVC is running a stage in this repository: {running}. Wait for "
                             "it to finish, then run again. Nothing was run")
        atomic.write_file(note, json.dumps({"pid": os.getpid(),
                                            "since": _local_time(time.time()),
                                            "command": _this_command()}), folder)
        yield
    finally:
        with contextlib.suppress(OSError):
            note.unlink()
        lock.unlock()
