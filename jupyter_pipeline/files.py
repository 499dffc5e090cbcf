"""Edge: read notebooks and text files; apply an export plan atomically, never clobbering edits."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import HandEditedFiles, NotebookReadError, OutputError
from .model.notebook import Notebook


def read_notebook(path: str | os.PathLike) -> Notebook:
    shown = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise NotebookReadError(shown, "does not exist", "Check the path.") from None
    except IsADirectoryError:
        raise NotebookReadError(shown, "is a folder", "Pass a notebook file (.ipynb).") from None
    except OSError as exc:
        raise NotebookReadError(shown, f"cannot be read ({exc.strerror})",
                                "Check its permissions.") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = f" at line {exc.lineno}, column {exc.colno}" if hasattr(exc, "lineno") else ""
        raise NotebookReadError(
            shown, f"is not valid JSON{where}, so it is not a Jupyter notebook",
            "Pass an .ipynb file saved by Jupyter (if it is one, it was damaged: restore it "
            "from version control).") from None
    return Notebook.from_dict(shown, data)


def read_text(path: str | os.PathLike) -> str | None:
    """The file's text, or None when there is no file. A file that is there but cannot be read
    is an error: taking it for absent would overwrite it."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return None
    except UnicodeDecodeError:
        raise OutputError(str(path), "is not UTF-8 text", "Save it as UTF-8, or move it "
                          "away, then convert again. Nothing was written") from None
    except OSError as exc:
        raise _unreadable(path, exc) from None


def _unreadable(path: str | os.PathLike, exc: OSError) -> OutputError:
    return OutputError(str(path), f"is in the way: it cannot be read ({exc.strerror})",
                       "Move it away or fix its permissions, then convert again. "
                       "Nothing was written")


def check_output_folder(folder: Path) -> None:
    """Fail early, with the reason, when `folder` cannot hold the pipeline."""
    try:
        if folder.exists() and not folder.is_dir():
            raise OutputError(str(folder), "is a file, not a folder", "Choose a folder with -o.")
        probe = folder
        while not probe.exists() and probe != probe.parent:
            probe = probe.parent
    except OSError as exc:  # e.g. a path below a folder we may not even look into
        raise OutputError(str(folder), f"cannot be used ({exc.strerror})",
                          "Choose another folder with -o.") from None
    if not probe.is_dir():
        raise OutputError(str(folder), f"cannot be created: '{probe}' is a file",
                          "Choose another folder with -o.")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise OutputError(str(probe), "is not writable",
                          "Choose another folder with -o, or fix its permissions.")


def git_tracked(folder: Path, paths: list[str]) -> list[str]:
    """Which of `paths` (relative to `folder`) git tracks; [] outside a git repository."""
    if not paths:
        return []
    import subprocess

    try:
        proc = subprocess.run(["git", "ls-files", "-z", "--", *paths], cwd=folder,
                              capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return []
    if proc.returncode != 0:
        return []
    return [p for p in proc.stdout.split("\0") if p]


def sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise _unreadable(path, exc) from None


def read_manifest(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError, json.JSONDecodeError, UnicodeDecodeError):
        return None
    except OSError as exc:  # a folder in its place: writing the manifest would fail later
        raise _unreadable(path, exc) from None
    return data if isinstance(data, dict) else None


@dataclass(frozen=True)
class WriteResult:
    written: tuple[str, ...]  # relative paths whose content changed
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]


def apply(root: Path, owned: dict[str, str], merged: dict[str, str], stale: tuple[str, ...],
          previous_manifest: dict | None, force: bool, dry_run: bool = False) -> WriteResult:
    """Write every file or none. Files nb2pipe generated before and the user changed since are
    refused without `force`, and so is any other file in the way."""
    known = (previous_manifest or {}).get("files", {})
    edited: list[str] = []
    for rel in list(owned) + list(stale):
        if rel.endswith("manifest.json"):
            continue
        target = root / rel
        current = sha256(target)
        if current is None or (rel in owned and current == _digest(owned[rel])):
            continue
        if known.get(rel) != current:
            edited.append(rel)
    if edited and not force:
        raise HandEditedFiles([str(root / e) for e in edited])
    everything = {**owned, **merged}
    changed = {rel: text for rel, text in everything.items() if read_text(root / rel) != text}
    unchanged = tuple(sorted(set(everything) - set(changed)))
    removed = tuple(s for s in stale if (root / s).exists())
    if dry_run:
        return WriteResult(tuple(sorted(changed)), unchanged, removed)
    _check_writable(root, changed)
    temps: list[tuple[str, Path]] = []
    try:
        for rel, text in sorted(changed.items()):
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
            temps.append((rel, Path(tmp)))
    except OSError as exc:
        for _, tmp in temps:
            tmp.unlink(missing_ok=True)
        raise OutputError(str(root), f"cannot be written ({exc.strerror})",
                          "Choose another folder with -o, or fix its permissions.") from None
    for rel, tmp in temps:
        os.replace(tmp, root / rel)
    for rel in removed:
        (root / rel).unlink(missing_ok=True)
    return WriteResult(tuple(sorted(changed)), unchanged, removed)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _check_writable(root: Path, changed: dict[str, str]) -> None:
    """Fail before writing anything when a target folder cannot be written."""
    folders = {(root / rel).parent for rel in changed}
    for folder in sorted(folders):
        probe = folder
        while not probe.exists():
            probe = probe.parent
        if not probe.is_dir():
            raise OutputError(str(probe), "is a file where nb2pipe needs a folder",
                              "Move it away, or choose another folder with -o.")
        if not os.access(probe, os.W_OK | os.X_OK):
            raise OutputError(str(probe), "is not writable",
                              "Choose another folder with -o, or fix its permissions.")
