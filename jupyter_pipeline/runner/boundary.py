"""Edge: the runner deletes and writes only inside the repository.

A run removes a stage's outputs before running it (as DVC does) and writes `.gitignore` entries
for them. An out of a hand-written dvc.yaml can name any path: `../../elsewhere`, an absolute
path, a path through a symlinked folder that leads out of the repository, or the repository
itself. Each is refused before anything is touched. (DVC 3.67 refuses `..` and absolute outs,
but follows a symlinked parent folder and deletes what it leads to: nb2pipe is stricter.)
"""

from __future__ import annotations

import os
from pathlib import Path

from .repository import dvc_repo
from .spec import PipelineError, StageSpec

_PRIVATE = (".git", ".dvc")  # what DVC and git keep for themselves


def repository_root(root: Path, specs: list[StageSpec]) -> Path:
    """The folder nothing may be deleted or written outside of, resolved (symlinks followed):
    the DVC repository that holds the pipeline; without one (`nb2pipe run` needs no DVC), the
    git work tree; without either, the folder holding the pipeline and its stages' working
    directories (`convert -o DIR` runs stages in the notebook's folder, above DIR)."""
    repo = dvc_repo(root)
    if repo is not None:
        return repo.resolve()
    here = root.resolve()
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    folders = [here, *((root / s.wdir).resolve() for s in specs)]
    return Path(os.path.commonpath([str(f) for f in folders]))


def out_problem(spec: StageSpec, out: str, root: Path, repository: Path) -> str | None:
    """Why the runner must not delete or write `out` of `spec` (None: it may)."""
    written = spec.root_path(out)
    where = f"stage '{spec.name}' has the output '{out}'"
    if os.path.isabs(out) or os.path.isabs(written):
        return f"{where}, an absolute path; outputs are paths inside the repository"
    # Resolve as the deletion would go: through every symlinked folder, and through the out
    # itself when it is a symlink (a stage then writes where the link leads).
    target = (root / written).resolve()
    if not target.is_relative_to(repository):
        return (f"{where}, which leads outside the repository ('{repository}') to '{target}'; "
                "nb2pipe deletes a stage's outputs before running it and never touches anything "
                "outside the repository. Move the output inside it")
    if target == repository or (root.resolve()).is_relative_to(target):
        return (f"{where}, which is the pipeline's own folder or one holding it; removing it "
                "before the run would delete the pipeline. Name a folder of its own")
    inside = target.relative_to(repository).parts
    if inside and inside[0] in _PRIVATE:
        return f"{where}, inside '{inside[0]}', which git and DVC keep for themselves"
    return None


def check_outputs(specs: list[StageSpec], root: Path) -> None:
    """Refuse the pipeline, naming the stage and the out, when any out is not the runner's to
    delete. Called before a run touches anything."""
    repository = repository_root(root, specs)
    for spec in specs:
        for o in spec.outs:
            problem = out_problem(spec, o.path, root, repository)
            if problem:
                raise PipelineError(f"dvc.yaml: {problem}. Nothing was run or deleted.")
