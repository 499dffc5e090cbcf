"""Edge: the scratch copies verify runs in. Each run gets a copy of the user's folder under the
folder's own name (so `Path.cwd().name` is the same), next to links to the folder's siblings (so
`../data/x.csv` reads what it reads in the user's folder); what the runs print about their folder
is shown as the user's folder (compare.Paths)."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .compare import Paths

_SKIP_COPY = shutil.ignore_patterns(".git", ".dvc", "pipelines", "dvc.yaml", "dvc.lock",
                                    ".ipynb_checkpoints", "__pycache__", ".venv", ".envs")
# Never linked from the user's parent folder: a DVC or git repository found from the scratch
# copy would be the user's own (its cache, its lock).
_NOT_LINKED = {".git", ".dvc", "dvc.yaml", "dvc.lock", ".dvcignore", ".venv", ".envs"}


@dataclass(frozen=True)
class Scratch:
    root: Path
    user_folder: Path

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


def make_scratch(user_folder: Path, runs: list[str], outs_outside: list[str]) -> Scratch:
    """A fresh scratch root with one copy per run. `outs_outside`: files the notebook writes
    through `../` (relative to its folder): the sibling they land in is copied, not linked, so
    no run writes into the user's files."""
    scratch = Scratch(Path(tempfile.mkdtemp(prefix="nb2pipe-verify-")), user_folder)
    written_siblings = {Path(os.path.normpath(out)).parts[1] for out in outs_outside
                        if len(Path(os.path.normpath(out)).parts) > 1
                        and Path(os.path.normpath(out)).parts[0] == ".."}
    for run in runs:
        shutil.copytree(user_folder, scratch.folder(run), ignore=_SKIP_COPY, symlinks=True)
        _link_siblings(user_folder, scratch.root / run, written_siblings)
    return scratch


def _link_siblings(user_folder: Path, parent: Path, copied: set[str]) -> None:
    try:
        siblings = list(user_folder.parent.iterdir())
    except OSError:
        return
    for sibling in siblings:
        if sibling.name == user_folder.name or sibling.name in _NOT_LINKED:
            continue
        target = parent / sibling.name
        try:
            if sibling.name in copied:
                if sibling.is_dir():
                    shutil.copytree(sibling, target, ignore=_SKIP_COPY, symlinks=True)
                else:
                    shutil.copy2(sibling, target)
            else:
                target.symlink_to(sibling, target_is_directory=sibling.is_dir())
        except OSError:
            continue  # unreadable: the notebook would not read it either
