"""Benchmark `nb2pipe sweep` against DVC's own way to sweep, side by side in one run:

    .venv/bin/python bench/bench_sweep.py [-j 2] [-S n_estimators=20,80 -S tol=0.001,0.1]

Two identical copies of the wine example (converted, run once, committed), then on the same
grid and -j: (1) `dvc exp run --queue -S ...` + `dvc queue start -j N`, timed from the first
command until `dvc queue status` shows nothing queued or running; (2) `nb2pipe sweep -S ... -j N`.
Both must leave one experiment per combination in `dvc exp show --json`, with the same
metrics. The ratio is what matters (the machine is shared)."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ENV = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
           GIT_AUTHOR_NAME="b", GIT_AUTHOR_EMAIL="b@b", GIT_COMMITTER_NAME="b",
           GIT_COMMITTER_EMAIL="b@b")


def sh(cmd: list[str], cwd: Path) -> str:
    return subprocess.run(cmd, cwd=cwd, env=ENV, check=True, capture_output=True,
                          text=True).stdout


def project(root: Path, name: str) -> Path:
    folder = root / name
    shutil.copytree(REPO / "example_notebooks" / "wine", folder)
    sh(["git", "init", "-q"], folder)
    sh([str(BIN / "dvc"), "init", "-q"], folder)
    sh([str(BIN / "nb2pipe"), "convert", "wine.ipynb"], folder)
    sh([str(BIN / "nb2pipe"), "run"], folder)
    sh(["git", "add", "-A"], folder)
    sh(["git", "commit", "-qm", "wine pipeline"], folder)
    return folder


def experiments(folder: Path) -> dict[str, dict]:
    """params (as JSON) -> metrics, for every experiment `dvc exp show --json` lists."""
    found = {}
    for baseline in json.loads(sh([str(BIN / "dvc"), "exp", "show", "--json"], folder)):
        for exp in baseline.get("experiments") or []:
            for rev in exp["revs"]:
                data = rev["data"]
                params = data["params"]["params.yaml"]["data"]
                found[json.dumps(params, sort_keys=True)] = data.get("metrics")
    return found


def dvc_queue(folder: Path, sets: list[str], jobs: int) -> float:
    start = time.perf_counter()
    sh([str(BIN / "dvc"), "exp", "run", "--queue", *(a for s in sets for a in ("-S", s))],
       folder)
    sh([str(BIN / "dvc"), "queue", "start", "-j", str(jobs)], folder)
    while True:
        status = sh([str(BIN / "dvc"), "queue", "status"], folder)
        busy = [line for line in status.splitlines()[1:]
                if " Running " in line or " Queued " in line]
        if not busy and "Success" in status or "Failed" in status:
            break
        time.sleep(0.5)
    took = time.perf_counter() - start
    if "Failed" in status:
        raise SystemExit(f"dvc queue: an experiment failed\n{status}")
    sh([str(BIN / "dvc"), "queue", "stop"], folder)
    return took


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("-S", dest="sets", action="append", default=None)
    args = ap.parse_args()
    sets = args.sets or ["n_estimators=20,80", "tol=0.001,0.1"]
    total = 1
    for s in sets:
        total *= len(s.split("=", 1)[1].split(","))
    root = Path(tempfile.mkdtemp(prefix="nb2pipe-bench-sweep-"))
    theirs, ours = project(root, "dvc-queue"), project(root, "nb2pipe-sweep")
    dvc_time = dvc_queue(theirs, sets, args.jobs)
    start = time.perf_counter()
    sh([str(BIN / "nb2pipe"), "sweep", *(a for s in sets for a in ("-S", s)),
        "-j", str(args.jobs)], ours)
    our_time = time.perf_counter() - start
    a, b = experiments(theirs), experiments(ours)
    if len(a) != total or len(b) != total:
        raise SystemExit(f"expected {total} experiments each, got {len(a)} (dvc) {len(b)} (nb2pipe)")
    if a != b:
        raise SystemExit("the two sweeps' params or metrics differ")
    grid = " ".join(f"-S {s}" for s in sets)
    print(f"grid {grid} ({total} experiments), -j {args.jobs}, wine (5 stages; "
          f"{'/'.join(s.split('=')[0] for s in sets)}):")
    print(f"  dvc exp run --queue + dvc queue start -j {args.jobs}: {dvc_time:.1f} s")
    print(f"  nb2pipe sweep -j {args.jobs}: {our_time:.1f} s (ratio {our_time / dvc_time:.2f}); "
          "same params and metrics in dvc exp show --json")
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
