"""Edge: `.gitignore` entries for a stage's cached outputs, written as `dvc repro` writes them.

DVC (scmrepo's `Git.ignore`) adds `/name` to the `.gitignore` of the output's own folder, after
the stage succeeded, for every cached output of a repository that uses git, unless git already
ignores it; the name escaped as a gitignore pattern, the line appended after a newline. Without
the entries, `git add -A` commits the outputs and DVC then refuses the stage ("output ... is
already tracked by SCM").
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from ..runtime import atomic
from .repository import dvc_flag, dvc_repo
from .spec import StageSpec

_SPECIAL = "\\[]!*#?"  # pathspec's GitWildMatchPattern.escape, which DVC uses


def git_root(root: Path) -> Path | None:
    """The git work tree that holds the pipeline (DVC looks for it from the repository up), or
    None: no git, or a DVC repository made with `dvc init --no-scm`, which ignores nothing."""
    repo = dvc_repo(root)
    if dvc_flag(repo, "core", "no_scm"):
        return None
    for folder in (root.resolve(), *root.resolve().parents):
        if (folder / ".git").exists():
            return folder
    return None


def entry_for(name: str) -> str:
    return "/" + "".join(f"\\{c}" if c in _SPECIAL else c for c in name)


def _git_ignores(path: Path, work_tree: Path) -> bool:
    try:
        return subprocess.run(["git", "-C", str(work_tree), "check-ignore", "-q", str(path)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):  # no git here: nothing ignores it yet
        return False


def ignore(path: Path, work_tree: Path) -> None:
    """Make git ignore `path` (absolute, inside the work tree) as DVC does. The file is
    replaced whole (runtime/atomic.py), inside the work tree: never half a line, never a
    `.gitignore` written through a link the stage made to elsewhere."""
    gitignore = path.parent / ".gitignore"
    entry = entry_for(path.name)
    atomic.check_inside(gitignore, work_tree)
    try:
        text = gitignore.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    if entry in text.splitlines() or _git_ignores(path, work_tree):
        return
    prefix = "" if not text or text.endswith("\n") else "\n"
    atomic.write_file(gitignore, f"{text}{prefix}{entry}\n", work_tree)


def ignore_outputs(spec: StageSpec, root: Path, work_tree: Path | None) -> None:
    """After the stage succeeded: ignore its cached outputs (metrics and plots with
    `cache: false` stay tracked by git, as under DVC)."""
    if work_tree is None:
        return
    for o in spec.outs:
        if o.cache:
            ignore(Path(os.path.abspath(root / spec.root_path(o.path))), work_tree)


def tracked_outputs(specs: list[StageSpec], root: Path, work_tree: Path | None
                    ) -> list[tuple[str, str, str]]:
    """(stage, out as dvc.yaml names it, its path from the dvc.yaml folder) for each cached
    output git tracks: DVC refuses such a stage after running it (and overwriting the file);
    nb2pipe says so before."""
    if work_tree is None:
        return []
    wanted = {spec.root_path(o.path): (spec.name, o.path)
              for spec in specs for o in spec.outs if o.cache}
    if not wanted:
        return []
    try:
        listed = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--", *wanted],
                                capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return []
    files = [f for f in listed.stdout.decode("utf-8", "replace").split("\0") if f]
    return [(*named, path) for path, named in wanted.items()
            if any(f == path or f.startswith(path.rstrip("/") + "/") for f in files)]
