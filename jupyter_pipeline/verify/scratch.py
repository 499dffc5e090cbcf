"""Edge: the scratch copies verify runs in. Each run gets a copy of the user's folder under the
folder's own name (so `Path.cwd().name` is the same), next to copies of the folder's siblings (so
`../data/x.csv` reads what it reads in the user's folder); what the runs print about their folder
is shown as the user's folder (compare.Paths). The siblings are copied, not linked: a run that
writes `../results.csv` must not overwrite the user's file (a file written above the notebook's
folder is no output the pipeline declares, so verify cannot know which ones a notebook writes)."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .compare import Paths

_SKIP_COPY = shutil.ignore_patterns(".git", ".dvc", "pipelines", "dvc.yaml", "dvc.lock",
                                    ".ipynb_checkpoints", "__pycache__", ".venv", ".envs")
# Never copied from the user's parent folder: a DVC or git repository (a run would find it),
# environments (large, and not data a notebook reads through `../`).
_NOT_COPIED = {".git", ".dvc", "dvc.yaml", "dvc.lock", ".dvcignore", ".venv", ".envs",
               "node_modules", "__pycache__", ".ipynb_checkpoints"}
# Siblings are copied only up to this size in all (each run gets its own copy); a parent folder
# that holds more (a home folder) is not offered, and a `../` path fails in the run with a note.
SIBLINGS_LIMIT = 200_000_000


@dataclass(frozen=True)
class Scratch:
    root: Path
    user_folder: Path
    siblings: bool = True  # the parent folder's other entries are there too

    def folder(self, run: str) -> Path:
        """The copy of the user's folder that `run` works in."""
        return self.root / run / self.user_folder.name

    def paths(self, runs: list[str]) -> Paths:
        mapping: dict[str, str] = {}
        for run in runs:
            for scratch, user in ((self.folder(run), self.user_folder),
                                  (self.root / run, self.user_folder.parent)):
                mapping[str(scratch)] = str(user)
                mapping[os.path.realpath(scratch)] = str(user)
        return Paths.of(mapping)

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def make_scratch(user_folder: Path, runs: list[str]) -> Scratch:
    """A fresh scratch root with one copy of the folder (and of its siblings) per run."""
    root = Path(tempfile.mkdtemp(prefix="nb2pipe-verify-"))
    siblings = _siblings(user_folder)
    for run in runs:
        _copy(user_folder, siblings, root / run)
    return Scratch(root, user_folder, siblings is not None)


def add_run(scratch: Scratch, run: str) -> None:
    """One more copy, for a run decided on later (an extra whole run); the user's folder is never
    changed by verify, so it is copied as the first runs saw it."""
    _copy(scratch.user_folder, _siblings(scratch.user_folder) if scratch.siblings else None,
          scratch.root / run)


def _copy(user_folder: Path, siblings: list[Path] | None, run_root: Path) -> None:
    shutil.copytree(user_folder, run_root / user_folder.name, ignore=_SKIP_COPY, symlinks=True)
    for sibling in siblings or []:
        try:
            if sibling.is_dir():
                shutil.copytree(sibling, run_root / sibling.name, ignore=_SKIP_COPY,
                                symlinks=True)
            else:
                shutil.copy2(sibling, run_root / sibling.name)
        except OSError:
            continue  # unreadable: the notebook could not read it either


def _siblings(user_folder: Path) -> list[Path] | None:
    """The parent folder's other entries, or None when they hold more than SIBLINGS_LIMIT."""
    try:
        entries = [p for p in user_folder.parent.iterdir()
                   if p.name != user_folder.name and p.name not in _NOT_COPIED]
    except OSError:
        return []
    total = 0
    for entry in entries:
        walk = [(str(entry), [], [entry.name])] if not entry.is_dir() else \
            os.walk(entry, followlinks=False)
        for folder, dirs, names in walk:
            dirs[:] = [d for d in dirs if d not in _NOT_COPIED]
            for name in names:
                try:
                    total += os.lstat(os.path.join(folder, name) if entry.is_dir()
                                      else entry).st_size
                except OSError:
                    continue
                if total > SIBLINGS_LIMIT:
                    return None
    return entries
