"""Edge: one combination, in its own process: run the scratch pipeline with nb2pipe's runner,
then record it with `dvc exp save` (DVC's own Python API, so the experiment is DVC's in every
respect). The process reports to the sweep on stdout, one JSON object per line after a marker.

    python -m jupyter_pipeline.experiments.worker FOLDER SAVE_LOCK

DVC's `exp save` keeps its working refs (`refs/exps/exec/...`) in the repository all worktrees
share, so saves are serialised with a file lock (SAVE_LOCK); running is not."""

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


def _save(folder: Path, lock_path: Path) -> tuple[str, str]:
    import fcntl

    from dvc.repo import Repo

    include = _for_git(folder)
    with open(lock_path, "a+", encoding="utf-8") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        with Repo(str(folder)) as repo:
            rev = repo.experiments.save(include_untracked=include or None)
    refs = subprocess.run(["git", "for-each-ref", "--points-at", rev, "--format=%(refname)",
                           "refs/exps"], cwd=folder, capture_output=True, text=True).stdout
    names = [r.rsplit("/", 1)[-1] for r in refs.split() if not r.startswith("refs/exps/exec/")]
    return rev, names[0] if names else rev[:7]


def main(argv: list[str]) -> int:
    _die_with_parent()
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type] - as cli/__init__
    folder, lock_path = Path(argv[0]), Path(argv[1])
    from ..runner.run import execute
    from ..runner.signals import terminate_as_interrupt

    def report(event) -> None:  # noqa: ANN001 - the runner's Event
        if event.state in ("running", "done", "skipped", "failed", "not started"):
            emit(stage=event.stage, state=event.state, detail=event.detail,
                 seconds=event.seconds)

    try:
        with terminate_as_interrupt():
            result = execute(folder, jobs=1, report=report)
            if result.failed:
                emit(state="failed", detail=f"stage(s) {', '.join(result.failed)} failed")
                return 1
            emit(state="saving")
            rev, name = _save(folder, lock_path)
    except KeyboardInterrupt:
        emit(state="failed", detail="interrupted")
        return 130
    except Exception as exc:  # noqa: BLE001 - reported as this combination's failure
        emit(state="failed", detail=f"{type(exc).__name__}: {exc}")
        return 1
    emit(state="saved", rev=rev, name=name,
         ran=[e.stage for e in result.events if e.state == "done"],
         skipped=[e.stage for e in result.events if e.state == "skipped"])
    return 0


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stdout.flush()
    os._exit(code)
