"""Edge: the scratch workspace one combination runs in.

A `git clone --shared` of the repository (its objects are the repository's, through git's
alternates: nothing is copied) checked out at HEAD, with the user's uncommitted changes to
tracked files and new files copied in (what `dvc exp run` would take along), and DVC's cache set
to the repository's own, so outputs restored or computed there are the repository's. A clone,
not a worktree: it has refs of its own, so `dvc exp save` (which keeps working refs such as
`refs/exps/exec/EXEC_HEAD`) can run in several at once; the experiment's ref is then fetched
into the repository (worker.py). The clones live in `.dvc/tmp/nb2pipe-sweep/` (inside the
repository, ignored by git and DVC); one left by a killed sweep is removed by the next."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from ..errors import Nb2PipeError
from ..lifetime import is_alive

FOLDER = "nb2pipe-sweep"


class ScratchError(Nb2PipeError):
    """The repository cannot hold a sweep (not git, no commit yet)."""


@dataclass(frozen=True)
class Repository:
    git_root: Path
    dvc_root: Path
    pipeline: Path  # the folder of dvc.yaml, relative to git_root
    head: str
    cache_dir: Path

    @property
    def scratch_base(self) -> Path:
        return self.dvc_root / ".dvc" / "tmp" / FOLDER


def _git(args: list[str], cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise ScratchError(f"'git {' '.join(args)}' failed in '{cwd}': "
                           f"{proc.stderr.strip() or proc.stdout.strip()}")
    return proc


def find_repository(folder: Path, dvc_root: Path | None, cache_dir: Path | None) -> Repository:
    if dvc_root is None or cache_dir is None:
        raise ScratchError(f"'{folder}' is not inside a DVC repository: DVC experiments need "
                           "one ('git init && dvc init', then commit)")
    top = _git(["rev-parse", "--show-toplevel"], folder, check=False)
    if top.returncode != 0:
        raise ScratchError(f"'{folder}' is not inside a git repository: DVC experiments are "
                           "git commits ('git init', then commit the pipeline)")
    git_root = Path(top.stdout.strip()).resolve()
    head = _git(["rev-parse", "--verify", "-q", "HEAD"], git_root, check=False)
    if head.returncode != 0:
        raise ScratchError("the repository has no commit yet: experiments are recorded "
                           "against one. Commit the pipeline first ('git add -A && git commit')")
    return Repository(git_root, dvc_root.resolve(),
                      Path(os.path.relpath(folder.resolve(), git_root)), head.stdout.strip(),
                      cache_dir.resolve())


def remove_stale(repo: Repository, own: bool = False) -> None:
    """Clones a killed sweep left behind (their sweep's process is gone), and with `own`
    this process's."""
    base = repo.scratch_base
    if base.is_dir():
        for entry in base.iterdir():
            if not entry.is_dir():
                continue
            pid = entry.name.split("-", 1)[0]
            if pid.isdigit() and is_alive(int(pid)) and not (own and int(pid) == os.getpid()):
                continue
            shutil.rmtree(entry, ignore_errors=True)


def _changed_files(git_root: Path) -> list[str]:
    """Tracked files that differ from HEAD (or are deleted) and new files git does not ignore."""
    changed = _git(["diff", "--name-only", "-z", "HEAD"], git_root).stdout.split("\0")
    new = _git(["ls-files", "-o", "--exclude-standard", "-z"], git_root).stdout.split("\0")
    return [p for p in dict.fromkeys(changed + new) if p]


def create(repo: Repository, index: int) -> Path:
    """A scratch clone for combination `index`; returns its pipeline folder."""
    base = repo.scratch_base
    base.mkdir(parents=True, exist_ok=True)
    tree = base / f"{os.getpid()}-{index}"
    if tree.exists():
        remove(repo, tree)
    _git(["clone", "-q", "--shared", "--no-checkout", str(repo.git_root), str(tree)],
         repo.git_root)
    # No hooks: a post-checkout hook (DVC's own `dvc install` adds one) would run before the
    # scratch uses the repository's cache.
    _git(["-c", f"core.hooksPath={os.devnull}", "checkout", "-q", "--detach", repo.head], tree)
    for key in ("user.name", "user.email"):  # the experiment's commit is made as in the repo
        value = _git(["config", "--get", key], repo.git_root, check=False).stdout.strip()
        if value:
            _git(["config", key, value], tree)
    for rel in _changed_files(repo.git_root):
        source, target = repo.git_root / rel, tree / rel
        if source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
        elif not source.exists() and target.is_file():
            target.unlink()
    _use_cache(tree / os.path.relpath(repo.dvc_root, repo.git_root), repo)
    return tree / repo.pipeline


def _use_cache(dvc_root: Path, repo: Repository) -> None:
    """The scratch's DVC uses the repository's cache (and its other local settings)."""
    from configobj import ConfigObj

    local = ConfigObj(str(repo.dvc_root / ".dvc" / "config.local"))
    local.filename = str(dvc_root / ".dvc" / "config.local")
    local.setdefault("cache", {})["dir"] = str(repo.cache_dir)
    local.write()


def remove(repo: Repository, tree: Path) -> None:
    shutil.rmtree(tree, ignore_errors=True)


def tree_of(repo: Repository, folder: Path) -> Path:
    """The clone that holds a scratch pipeline folder."""
    return folder.parents[len(repo.pipeline.parts) - 1] if repo.pipeline.parts else folder


def set_params(folder: Path, values: dict[str, Any]) -> None:
    """Write the combination's values into the scratch's params.yaml, keeping its layout (as
    `dvc exp run -S` does); dotted names go into nested mappings."""
    path = folder / "params.yaml"
    yaml = YAML()
    yaml.preserve_quotes = True
    data = yaml.load(path.read_text(encoding="utf-8")) or {}
    for name, value in values.items():
        node = data
        parts = name.split(".")
        for part in parts[:-1]:
            node = node[part]
        node[parts[-1]] = value
    with open(path, "w", encoding="utf-8") as f:
        yaml.dump(data, f)


def experiment_names(repo: Repository) -> set[str]:
    """The names of the experiments of HEAD already in the repository (DVC refuses a name
    twice per baseline)."""
    prefix = f"refs/exps/{repo.head[:2]}/{repo.head[2:]}/"
    refs = _git(["for-each-ref", "--format=%(refname)", prefix], repo.git_root).stdout
    return {r[len(prefix):] for r in refs.split()}
