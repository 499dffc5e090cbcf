"""The one way nb2pipe writes a file: atomically, inside a root folder, with the user's modes.

Every file nb2pipe writes (the generated files of `convert`, `dvc.lock`, the hash cache, DVC
cache objects, `.gitignore`, the run lock's note, the values a stage hands on, its metrics) is
written here. The content goes into a temporary file beside the target (same folder, so the
rename is atomic), is flushed to disk, then renamed over the target: a reader sees the old file
or the new one, never half of one, whether the write fails (a full disk), the process is killed
or the machine stops. A failed write removes its temporary file.

Containment: the target's folder is resolved at the moment of the write and again right before
the rename, and must lie inside `root`; a target that is itself a symlink must lead inside it
too. A stage that makes a folder on the way a symlink to elsewhere (at run time, after every
check before the run) gets `LeadsOutside`, never a file written where the link leads.

Modes: a new file gets what the umask gives (0666 & ~umask, as `open` would); a file replaced
keeps its mode; `mode` sets one (DVC's read-only cache objects).

It lives in the runtime, the lowest part of nb2pipe (generated stages import only the runtime,
which imports nothing else of the package), so that the runtime, the runner and the export all
share this one implementation. Standard library only.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path
from typing import BinaryIO, Iterator

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class LeadsOutside(OSError):
    """`path` leads outside `root` (to `real`), through a symbolic link on the way or the file
    itself a link. An OSError, so callers that report failed writes report this one too."""

    def __init__(self, path: Path, root: Path, real: Path) -> None:
        self.path, self.root, self.real = Path(path), Path(root), Path(real)
        super().__init__(f"'{path}' leads outside '{root}' (to '{real}', through a symbolic "
                         "link); nb2pipe writes and deletes only inside it: replace the link by "
                         "a real file or folder")


def leads_outside(path: Path, root: Path) -> Path | None:
    """Where `path` really leads when that is outside `root` (a symlink on the way, or the file
    itself a link), else None. Resolved now: call it at the moment of use."""
    try:
        real, base = Path(path).resolve(), Path(root).resolve()
    except (OSError, RuntimeError):  # a symlink loop or an unreadable folder on the way
        return Path(path)
    return None if real == base or base in real.parents else real


def check_inside(path: Path, root: Path) -> None:
    real = leads_outside(path, root)
    if real is not None:
        raise LeadsOutside(path, root, real)


def _check_target(target: Path, root: Path) -> None:
    check_inside(target.parent, root)
    if target.is_symlink():  # the rename would replace the link: only one that stays inside
        check_inside(target, root)


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


@contextlib.contextmanager
def temporary_beside(target: Path, root: Path, mode: int | None = None
                     ) -> Iterator[tuple[BinaryIO, Path]]:
    """(file, its path): a temporary file in `target`'s folder to write the new content into.
    When the block ends it is on disk with the mode the target will have; when anything fails,
    also at close (a full disk may only say so there), it is removed."""
    target = Path(target)
    _check_target(target, root)
    tmp = target.parent / f".nb2pipe-{secrets.token_hex(4)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW,
                 0o666)  # the kernel applies the umask, as for any new file
    try:
        with os.fdopen(fd, "wb") as f:
            yield f, tmp
            f.flush()
            if mode is None:
                with contextlib.suppress(FileNotFoundError):
                    mode = stat.S_IMODE(os.stat(target).st_mode)
            if mode is not None:
                os.fchmod(f.fileno(), mode)
            os.fsync(f.fileno())  # a full disk may only say so here (delayed allocation, NFS)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def replace(tmp: Path, target: Path, root: Path) -> None:
    """Rename the temporary file over `target`, checked inside `root` once more (a link may
    have appeared on the way since the temporary file was written)."""
    try:
        _check_target(Path(target), root)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def sync_folder(folder: Path) -> None:
    """The renames themselves reach the disk (POSIX); best effort where folders cannot be
    opened (Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_file(target: Path | str, root: Path | str, mode: int | None = None
                ) -> Iterator[BinaryIO]:
    """A binary file to write `target`'s new content into, piece by piece (a copy, np.save,
    to_parquet); it replaces `target` when the block ends without an error, and is removed
    when it does not."""
    target, root = Path(target), Path(root)
    with temporary_beside(target, root, mode) as (f, tmp):
        yield f
    # The content is on disk before the rename, so even a machine that stops right after
    # shows the old file or the new one, whole. The folder is not synced here: that would
    # only make the rename itself outlive such a stop (the old file stays, which is
    # consistent: the stage runs again), at ~15 ms a file, measured, where a stage may hand
    # on dozens of values. A convert's batch (files.AtomicWrites) syncs its folders.
    replace(tmp, target, root)


def write_file(target: Path | str, data: bytes | str, root: Path | str,
               mode: int | None = None) -> None:
    """Write one file atomically inside `root` (see the module's docstring)."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_file(target, root, mode) as f:
        write_all(f.fileno(), payload)


def make_folders(folder: Path | str, root: Path | str) -> None:
    """`os.makedirs(folder, exist_ok=True)`, refused before anything is created when the folder
    would lie outside `root` (a link on the way), and checked again after."""
    check_inside(Path(folder), Path(root))
    os.makedirs(folder, exist_ok=True)
    check_inside(Path(folder), Path(root))


def remove(path: Path | str, root: Path | str) -> None:
    """Delete a file, a link (never what it leads to) or a folder with everything in it, only
    inside `root`: the folder holding it is opened, checked to be inside `root` through the
    opened descriptor itself, and the deletion goes through that descriptor (shutil.rmtree
    with dir_fd never follows a link), so a link swapped in on the way meanwhile is not
    followed."""
    import shutil

    path, root = Path(os.path.abspath(path)), Path(root)
    check_inside(path.parent, root)
    parent = path.parent.resolve()
    try:
        fd = os.open(parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except (FileNotFoundError, NotADirectoryError):  # nothing there to remove
        return
    try:
        opened = _opened_path(fd, parent)
        if leads_outside(opened, root) is not None:
            raise LeadsOutside(path, root, opened)
        try:
            st = os.stat(path.name, dir_fd=fd, follow_symlinks=False)
        except FileNotFoundError:
            return
        if stat.S_ISDIR(st.st_mode):
            shutil.rmtree(path.name, dir_fd=fd)
        else:
            os.unlink(path.name, dir_fd=fd)
    finally:
        os.close(fd)


def _opened_path(fd: int, fallback: Path) -> Path:
    """Where an open folder really is (Linux: /proc names it); elsewhere the path it was opened
    by, if that still names the same folder."""
    try:
        return Path(os.readlink(f"/proc/self/fd/{fd}"))
    except OSError:
        same = os.path.samestat(os.fstat(fd), os.stat(fallback))
        return fallback if same else Path("/")


def stage_root(start: str, target: str) -> Path:
    """The folder a stage's own writes (its handed-on values, its metrics) stay inside: the DVC
    or git repository holding the folder the stage started in (without one, that folder); a
    target its path names outside of it (an absolute path, `-o ../elsewhere`), the folder
    holding both, as their paths name them (before any link is followed)."""
    here = Path(os.path.abspath(start))
    base = next((f for f in (here, *here.parents)
                 if (f / ".dvc").is_dir() or (f / ".git").exists()), here)
    named = Path(os.path.abspath(os.path.join(here, target)))
    if named == base or base in named.parents:
        return base
    return Path(os.path.commonpath([str(base), str(named)]))
