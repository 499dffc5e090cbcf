"""Edge: one combination, in its own process: run the scratch pipeline with nb2pipe's runner,
record it with `dvc exp save --name NAME` (DVC's own Python API, so the experiment is DVC's in
every respect), and fetch the experiment's ref into the user's repository (a git ref is
written at once: the experiment is there whole or not at all). The process reports to the
sweep on stdout, one JSON object per line after a marker.

    python -m jupyter_pipeline.experiments.worker FOLDER REPOSITORY NAME"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

MARK = "nb2pipe-sweep:"


def emit(**fields: object) -> None:
    sys.stdout.write(MARK + json.dumps(fields, default=str) + "\n")
    sys.stdout.flush()


def _die_with_parent() -> None:
    """Killed with the sweep, even by SIGKILL (Linux): SIGTERM stops the run as Ctrl-C."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:
            os.kill(os.getpid(), signal.SIGTERM)


def _for_git(folder: Path) -> list[str]:
    """Files git does not track yet that `dvc exp run` would commit with the experiment (it
    stages them as it writes them): outputs with `cache: false` (metrics, plots) and the
    `.gitignore` files that keep the cached outputs out of git. `dvc exp save` alone commits
    only dvc.yaml, dvc.lock and the params files among untracked files."""
    from ..runner.run import load_specs

    uncached = {(folder / s.root_path(o.path)).resolve() for s in load_specs(folder)
                for o in s.outs if not o.cache}
    top = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=folder,
                         capture_output=True, text=True).stdout.strip()
    new = subprocess.run(["git", "ls-files", "-o", "--exclude-standard", "-z"], cwd=top,
                         capture_output=True, text=True).stdout.split("\0")
    return [str(Path(top) / p) for p in new if p and (
        Path(p).name == ".gitignore" or (Path(top) / p).resolve() in uncached)]


def _save(folder: Path, repository: Path, name: str) -> str:
    from dvc.repo import Repo

    include = _for_git(folder)
    with Repo(str(folder)) as repo:
        rev = repo.experiments.save(name=name, include_untracked=include or None)
    refs = subprocess.run(["git", "for-each-ref", "--points-at", rev, "--format=%(refname)",
                           "refs/exps"], cwd=folder, capture_output=True, text=True).stdout
    ref = next((r for r in refs.split() if r.endswith(f"/{name}")
                and not r.startswith("refs/exps/exec/")), None)
    if ref is None:
        raise RuntimeError(f"dvc exp save made no ref for '{name}'")
    top = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=folder,
                         capture_output=True, text=True).stdout.strip()
    # Not forced: an experiment of the same name that appeared meanwhile is not replaced.
    fetched = subprocess.run(["git", "fetch", "-q", "--no-tags", top, f"{ref}:{ref}"],
                             cwd=repository, capture_output=True, text=True)
    if fetched.returncode != 0:
        raise RuntimeError(f"the experiment could not be taken into the repository: "
                           f"{fetched.stderr.strip()}")
    return rev


def _shown(folder: Path) -> dict:
    """The experiment's params and metrics as DVC reports them (its API, on the workspace
    just committed as the experiment: what `dvc exp show` then shows for it), in the shape of
    an experiment's `data` in `dvc exp show --json`. Metrics are DVC's: files declared as
    `metrics:` in dvc.yaml."""
    from dvc.repo import Repo

    with Repo(str(folder)) as repo:
        params = repo.params.show().get("", {}).get("data", {})
        metrics = repo.metrics.show().get("", {}).get("data", {})
    return {"params": params, "metrics": metrics}


def _one_kernel_the_usual_way(folder: Path) -> None:
    """A combination that runs one stage (typically the last, for a parameter only it reads)
    needs no fork server: its imports would only compete for the cores with that stage and
    with the other combinations running (the runner's NB2PIPE_FORK_KERNELS=0)."""
    from ..runner.run import plan

    _, _, decisions, _ = plan(folder)
    if sum(1 for d in decisions if d.run) <= 1:
        os.environ["NB2PIPE_FORK_KERNELS"] = "0"


def main(argv: list[str]) -> int:
    _die_with_parent()
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type] - as cli/__init__
    folder, repository, name = Path(argv[0]), Path(argv[1]), argv[2]
    from ..runner.run import execute
    from ..runner.signals import terminate_as_interrupt

    def report(event) -> None:  # noqa: ANN001 - the runner's Event
        if event.state in ("running", "done", "skipped", "failed", "not started"):
            emit(stage=event.stage, state=event.state, detail=event.detail,
                 seconds=event.seconds)

    try:
        with terminate_as_interrupt():
            _one_kernel_the_usual_way(folder)
            result = execute(folder, jobs=1, report=report)
            if result.failed:
                emit(state="failed", detail=f"stage(s) {', '.join(result.failed)} failed")
                return 1
            emit(state="saving")
            rev = _save(folder, repository, name)
    except KeyboardInterrupt:
        emit(state="failed", detail="interrupted")
        return 130
    except Exception as exc:  # noqa: BLE001 - reported as this combination's failure
        emit(state="failed", detail=f"{type(exc).__name__}: {exc}")
        return 1
    emit(state="saved", rev=rev, name=name, data=_shown(folder),
         ran=[e.stage for e in result.events if e.state == "done"],
         skipped=[e.stage for e in result.events if e.state == "skipped"])
    return 0


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stdout.flush()
    os._exit(code)
