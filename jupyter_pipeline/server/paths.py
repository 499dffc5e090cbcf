"""Paths from HTTP requests, resolved inside the server's root folder or refused.

A request names files relative to the root the user started JupyterLab in; nothing outside it
may be read or written, however the path is spelled (`..`, absolute, a symlink that leaves)."""

from __future__ import annotations

import posixpath
from pathlib import Path, PurePosixPath, PureWindowsPath


class RequestError(Exception):
    """A request nb2pipe refuses before doing anything: `status` is the HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def inside_root(root: str | Path, requested: str) -> Path:
    """The real path of `requested` under `root`; 403 when it would leave the root."""
    if not isinstance(requested, str) or not requested.strip():
        raise RequestError(400, "'path' must be a non-empty string, relative to the folder "
                                "JupyterLab was started in")
    if "\x00" in requested:
        raise RequestError(400, "'path' holds a NUL character")
    try:
        encoded = requested.encode("utf-8")
    except UnicodeEncodeError:  # JSON can spell a lone surrogate ("\ud800"); no file name can
        raise RequestError(400, "'path' holds a character that is not valid Unicode (a lone "
                                "surrogate)") from None
    if len(encoded) > 4096 or any(len(part.encode("utf-8")) > 255
                                  for part in requested.replace("\\", "/").split("/")):
        shown = requested if len(requested) <= 80 else requested[:77] + "..."
        raise RequestError(400, f"'{shown}' is longer than a file name or path may be (255 "
                                "bytes per name, 4096 in all)")
    if PurePosixPath(requested).is_absolute() or PureWindowsPath(requested).is_absolute() \
            or PureWindowsPath(requested).drive:
        raise RequestError(403, f"'{requested}' is an absolute path; give it relative to the "
                                "folder JupyterLab was started in")
    base = Path(root).resolve()
    try:
        target = (base / posixpath.normpath(requested)).resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop, a folder we may not look into
        raise RequestError(400, f"'{requested}' cannot be used ({exc})") from None
    if target != base and base not in target.parents:
        raise RequestError(403, f"'{requested}' is outside the folder JupyterLab was started "
                                "in; nb2pipe only reads and writes inside it")
    return target


def relative_to_root(root: str | Path, path: Path) -> str:
    """How the browser names `path`: relative to the root, with forward slashes."""
    return path.resolve().relative_to(Path(root).resolve()).as_posix()


def rooted(root: str | Path, message: str) -> str:
    """`message` with this machine's paths named as the browser knows them, from the root:
    nb2pipe's messages are written for a terminal, where absolute paths are what users typed."""
    for spelling in dict.fromkeys((str(Path(root).resolve()), str(root))):
        message = message.replace(spelling + "/", "").replace(f"'{spelling}'", "'.'")
    return message
