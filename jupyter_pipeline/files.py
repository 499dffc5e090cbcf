"""Edge: read notebooks and text files; apply an export plan atomically, never clobbering edits."""

from __future__ import annotations

import errno
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from .errors import HandEditedFiles, NotebookReadError, OutputError
from .model.notebook import Notebook
from .runtime import atomic


def local_modules(notebook_path: str | os.PathLike) -> dict[str, str]:
    """The notebook's own modules: `name.py` files and packages (folders with `__init__.py`)
    beside it, {module name: path relative to the notebook's folder}. An import of one runs
    the notebook's code, which the analysis treats differently from a library's."""
    folder = Path(notebook_path).parent
    found: dict[str, str] = {}
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return found
    for entry in entries:
        if entry.suffix == ".py" and entry.stem.isidentifier() and entry.is_file():
            found[entry.stem] = entry.name
        elif entry.name.isidentifier() and (entry / "__init__.py").is_file():
            found[entry.name] = entry.name
    return found


def module_sources(notebook_path: str | os.PathLike, modules: dict[str, str],
                   notebook: Notebook) -> dict[str, str]:
    """The source of each of the notebook's own modules that one of its cells star-imports
    (`from helpers import *`), and of those such a module star-imports in turn: the analysis
    reads the names it binds from them. Only those are read (the others are not needed), so a
    folder of many modules costs nothing here."""
    folder = Path(notebook_path).parent
    stars = [c.source for c in notebook.code_cells if "import *" in c.source]
    found: dict[str, str] = {}
    while stars:
        source = stars.pop()
        for module in modules:
            if module in found or f"from {module} import" not in source:
                continue
            path = folder / modules[module]
            if path.is_dir():
                path = path / "__init__.py"
            try:
                found[module] = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue  # unreadable: the star import stays one whose names are not known
            if "import *" in found[module]:
                stars.append(found[module])
    return found


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
    except RecursionError:
        raise NotebookReadError(
            shown, "is JSON nested too deeply to read (thousands of levels; Jupyter writes a "
            "few)", "Pass an .ipynb file saved by Jupyter (if it is one, it was damaged: "
            "restore it from version control).") from None
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


# -- Containment: nothing nb2pipe reads or writes leads outside the project folder -------------

def leads_outside(path: Path, root: Path) -> Path | None:
    """Where `path` really leads when that is outside `root` (a symlink on the way, or the file
    itself a link), else None. Resolved now, so it is also checked again right before a write."""
    return atomic.leads_outside(path, root)


def refuse_outside(path: Path, root: Path, verb: str = "write") -> None:
    real = leads_outside(path, root)
    if real is not None:
        raise _outside(path, root, real, verb)


def _outside(path: Path, root: Path, real: Path, verb: str = "write") -> OutputError:
    return OutputError(
        str(path), f"leads outside '{root}' (to '{real}', through a symbolic link)",
        f"nb2pipe does not {verb} outside the folder of the pipeline: replace the link by "
        "a real file or folder, or choose another folder with -o. Nothing was written")


def read_inside(path: Path, root: Path) -> str | None:
    """`read_text`, refusing a file (dvc.yaml, params.yaml) that is a link to outside `root`:
    its content would otherwise be copied into the project's files."""
    if path.is_symlink() or path.exists():
        refuse_outside(path, root, "read or write")
    return read_text(path)


# -- Writing: every file nb2pipe writes goes through one atomic helper -------------------------

@dataclass(frozen=True)
class WriteResult:
    written: tuple[str, ...]  # relative paths whose content changed
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]


class AtomicWrites:
    """Files written as temporary files beside their targets (runtime/atomic.py, the one
    implementation every nb2pipe write uses), then renamed over the targets together in
    `commit`. Until then
    nothing the user sees has changed; on any failure `discard` removes every temporary file and
    every folder this batch created, so a full disk leaves the tree as it was.

    New files get the mode the umask gives (0666 & ~umask, as `open` would); a file replaced
    keeps its mode. Every folder created and every target is checked to lie inside `root` at the
    moment it is used: a symlink on the way that leads elsewhere is refused."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._staged: list[tuple[Path, Path]] = []  # (temporary file, target)
        self._created: list[Path] = []  # folders made by this batch, parents first

    def stage(self, target: Path, data: str | bytes) -> None:
        payload = data.encode("utf-8") if isinstance(data, str) else data
        target = Path(target)
        self._make_folders(target.parent)
        refuse_outside(target.parent, self.root)
        if target.is_symlink():  # the rename would replace the link by a file: refuse instead
            refuse_outside(target, self.root)
        with atomic.temporary_beside(target, self.root) as (f, tmp):
            self._staged.append((tmp, target))
            atomic.write_all(f.fileno(), payload)

    def _make_folders(self, folder: Path) -> None:
        missing = []
        probe = folder
        while not probe.exists() and not probe.is_symlink() and probe != probe.parent:
            missing.append(probe)
            probe = probe.parent
        for path in reversed(missing):
            if self.root in path.parents:  # the root itself (and above) is what the user named
                refuse_outside(path.parent, self.root)
            path.mkdir()
            self._created.append(path)

    def commit(self) -> None:
        for tmp, target in self._staged:
            refuse_outside(target.parent, self.root)
            atomic.replace(tmp, target, self.root)
        folders = {target.parent for _, target in self._staged}
        self._staged.clear()
        self._created.clear()
        for folder in sorted(folders):
            atomic.sync_folder(folder)

    def discard(self) -> None:
        for tmp, _ in self._staged:
            try:
                tmp.unlink(missing_ok=True)
            except OSError:
                pass
        self._staged.clear()
        for folder in reversed(self._created):
            try:
                folder.rmdir()  # only when empty: never anything the user put there
            except OSError:
                pass
        self._created.clear()

    def __enter__(self) -> "AtomicWrites":
        return self

    def __exit__(self, kind, exc, tb) -> None:  # noqa: ANN001
        if kind is not None:
            self.discard()
        else:
            self.commit()


def write_atomic(target: Path, data: str | bytes, root: Path | None = None) -> None:
    """One file, atomically (see AtomicWrites); `root` defaults to the target's own folder."""
    with AtomicWrites(root if root is not None else Path(target).parent) as batch:
        batch.stage(Path(target), data)


def _cannot_write(root: Path, exc: OSError) -> OutputError:
    if isinstance(exc, atomic.LeadsOutside):  # a link appeared on the way while writing
        return _outside(exc.path, exc.root, exc.real)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return OutputError(str(root), f"cannot be written: the disk is full ({exc.strerror})",
                           "Free some space, then convert again. Nothing was written (every "
                           "file is as it was)")
    if exc.errno == errno.ENAMETOOLONG:
        where = f"'{exc.filename}'" if exc.filename else "a file name"
        return OutputError(str(root), f"cannot be written: {where} is longer than the file "
                           "system allows", "Use shorter stage names. Nothing was written")
    return OutputError(str(root), f"cannot be written ({exc.strerror})",
                       "Choose another folder with -o, or fix its permissions. Nothing was "
                       "written")


def apply(root: Path, owned: dict[str, str], merged: dict[str, str], stale: tuple[str, ...],
          previous_manifest: dict | None, force: bool, dry_run: bool = False) -> WriteResult:
    """Write every file or none. Files nb2pipe generated before and the user changed since are
    refused without `force`, and so is any other file in the way."""
    for rel in sorted({*owned, *merged, *stale}):
        refuse_outside(root / rel, root)
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
    try:
        with AtomicWrites(root) as batch:
            for rel, text in sorted(changed.items()):
                batch.stage(root / rel, text)
    except OSError as exc:
        raise _cannot_write(root, exc) from None
    for rel in removed:
        atomic.remove(root / rel, root)
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
