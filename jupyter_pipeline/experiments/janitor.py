"""Edge: removes a sweep's scratch clones when the sweep is killed outright (SIGKILL, the OOM killer),
so not even that leaves them behind. Started by the sweep with a pipe on stdin; the pipe closes
when the sweep ends, however it ends. Then the sweep's workers have been told to stop (their
parent-death signal), and every clone named after the sweep's pid is removed; after a
sweep that ended normally there is none left and this returns at once.

    python -m jupyter_pipeline.experiments.janitor GIT_ROOT SCRATCH_BASE SWEEP_PID"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path


def _remove(tree: Path) -> None:
    shutil.rmtree(tree, ignore_errors=True)


def main(argv: list[str]) -> int:
    base, pid = Path(argv[1]), argv[2]
    sys.stdin.read()  # returns when the sweep has ended
    deadline = time.monotonic() + 30
    while True:
        left = sorted(base.glob(f"{pid}-*")) if base.is_dir() else []
        for tree in left:
            _remove(tree)
        if not left or time.monotonic() > deadline:
            break
        time.sleep(1)  # a worker that is still stopping may write into its tree once more
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
