"""Benchmark the per-task cost of the exported Airflow DAG against `nb2pipe run` and against
`nb2pipe exec-stage` alone, on the wine example (5 stages).

    NB2PIPE_ENGINES_ENV=.envs/airflow .venv/bin/python bench/bench_airflow.py [--storage]
    .venv/bin/python bench/bench_airflow.py --trivial 15 [--against OTHER_CHECKOUT]
    NB2PIPE_ENGINES_ENV=.envs/airflow .venv/bin/python bench/bench_airflow.py --storage-cost 5

Runs, in scratch copies of example_notebooks/wine: `nb2pipe run --force`; each stage's
`nb2pipe exec-stage` command by itself, in order; `airflow dags test wine` (fresh AIRFLOW_HOME,
SQLite; `--storage`: handoffs on a moto S3 server). For each task, from Airflow's own log: the
time of its command (bash + exec-stage) and Airflow's time around it (task start to end, less
the command). A task is "within 0.5 s of exec-stage alone" when its command plus Airflow's time
around it is at most 0.5 s more than the same stage's exec-stage alone.

`--storage-cost N`: wine's `clean` stage (it loads `load`'s values and hands on its own) run by
`nb2pipe exec-stage` N times, interleaved: with its handoffs in the project folder, and as an
exported task with `--storage` runs it (NB2PIPE_STORAGE on a moto S3 server; `--pull`/`--push`
when this tree's DAG passes them, else the kernel's load and save steps reach the storage):
median seconds of each, and the difference, what the storage costs a task.

`--trivial N`: `nb2pipe exec-stage` (the installed command, as a task runs it) on a one-cell
stage, N times (`--against`: interleaved with the same command of another checkout, e.g. a
`git archive` of an older commit): median wall and CPU seconds (process and kernel), and the import of
`jupyter_pipeline.cli` for exec-stage (`python -X importtime`), the fixed cost of every task.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WINE = REPO / "example_notebooks" / "wine"
STAGES = ["load", "clean", "features", "train", "evaluate"]
ENV = Path(os.environ.get("NB2PIPE_ENGINES_ENV", REPO / ".envs" / "airflow"))


def nb2pipe(*args: str, cwd: Path, env: dict | None = None) -> float:
    """Seconds of the installed `nb2pipe` command (the one a task runs) beside this Python."""
    start = time.perf_counter()
    subprocess.run([str(Path(sys.executable).parent / "nb2pipe"), *args], cwd=cwd, check=True,
                   capture_output=True, env=env)
    return time.perf_counter() - start


def trivial(times: int, against: str | None) -> None:
    import json
    import resource
    import statistics

    scratch = Path(tempfile.mkdtemp(prefix="nb2pipe-bench-trivial-"))
    try:
        cell = {"cell_type": "code", "id": "c0", "metadata": {"tags": ["stage:only"]},
                "source": "x = 1", "outputs": [], "execution_count": None}
        (scratch / "t.ipynb").write_text(json.dumps({
            "cells": [cell], "metadata": {"kernelspec": {"name": "python3", "language": "python",
                                                         "display_name": "Python 3"}},
            "nbformat": 4, "nbformat_minor": 5}))
        nb2pipe("convert", "t.ipynb", cwd=scratch)
        args = ("exec-stage", "pipelines/t/only.ipynb", "pipelines/t/executed/only.ipynb")
        trees = {"this tree": str(REPO), **({"--against": against} if against else {})}
        walls: dict[str, list[float]] = {k: [] for k in trees}
        cpus: dict[str, list[float]] = {k: [] for k in trees}
        for i in range(times):  # interleaved, the order alternating: the load drifts
            for name, tree in (list(trees.items()) if i % 2 == 0 else list(trees.items())[::-1]):
                env = {**os.environ, "PYTHONPATH": tree}
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                walls[name].append(nb2pipe(*args, cwd=scratch, env=env))
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpus[name].append(after.ru_utime - before.ru_utime + after.ru_stime
                                  - before.ru_stime)
        # What exec-stage imports before papermill: since the CLI is lazy, its own command
        # and the runner; before, every command (and with them api and the analysis).
        program = ("from jupyter_pipeline import cli; cli._parser(['exec-stage'])\n"
                   "import jupyter_pipeline.runner.stage_task") if _lazy_cli() else \
            "from jupyter_pipeline import cli, api"
        imports = []
        for _ in range(times):
            proc = subprocess.run([sys.executable, "-X", "importtime", "-c", program],
                                  capture_output=True, text=True, check=True)
            rows = [ln for ln in proc.stderr.splitlines()
                    if ln.startswith("import time:") and "cumulative" not in ln]
            imports.append(sum(int(ln.split("|")[1]) for ln in rows
                               if not ln.split("|")[2].startswith("  ")) / 1e6)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    for name in trees:
        print(f"{name}: exec-stage, one-cell stage, median of {times}: "
              f"{statistics.median(walls[name]):.2f} s wall (fastest {min(walls[name]):.2f}), "
              f"{statistics.median(cpus[name]):.2f} s CPU (process + kernel)")
    print(f"this tree: imports for exec-stage (python -X importtime), median: "
          f"{statistics.median(imports) * 1000:.0f} ms")


def _moto(env: dict) -> subprocess.Popen:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([str(ENV / "bin" / "moto_server"), "-H", "127.0.0.1", "-p",
                               str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    env.update({"AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}", "AWS_ACCESS_KEY_ID": "x",
                "AWS_SECRET_ACCESS_KEY": "x", "AWS_DEFAULT_REGION": "us-east-1"})
    subprocess.run([sys.executable, "-c", "import s3fs; s3fs.S3FileSystem().mkdir('bench')"],
                   env=env, check=True)
    return server


def storage_cost(times: int) -> None:
    import statistics

    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    scratch = Path(tempfile.mkdtemp(prefix="nb2pipe-bench-storage-"))
    server = _moto(env)
    try:
        project = scratch / "wine"
        shutil.copytree(WINE, project)
        nb2pipe("convert", "wine.ipynb", cwd=project, env=env)
        nb2pipe("run", cwd=project, env=env)
        storage = "s3://bench/run"
        remote = {**env, "NB2PIPE_STORAGE": storage, "NB2PIPE_PROJECT_ROOT": str(project)}
        subprocess.run([sys.executable, "-c", "import sys, s3fs; s3fs.S3FileSystem().put("
                        "sys.argv[1], sys.argv[2], recursive=True)",
                        str(project / "pipelines/wine/data/load") + "/",
                        "bench/run/pipelines/wine/data/load"], env=env, check=True)
        stage = ["exec-stage", "pipelines/wine/clean.ipynb", "pipelines/wine/executed/clean.ipynb"]
        moved = ["--pull", "pipelines/wine/data/load", "--push", "pipelines/wine/data/clean",
                 "--push", "pipelines/wine/executed/clean.ipynb"] if _lazy_cli() else []
        local, stored = [], []
        for _ in range(times):
            local.append(nb2pipe(*stage, cwd=project, env=env))
            stored.append(nb2pipe(*stage, *moved, cwd=project, env=remote))
    finally:
        server.terminate()
        shutil.rmtree(scratch, ignore_errors=True)
    a, b = statistics.median(local), statistics.median(stored)
    print(f"clean, median of {times}: handoffs in the project {a:.2f} s, through S3 "
          f"{'(--pull/--push) ' if moved else '(kernel) '}{b:.2f} s: +{b - a:.2f} s")


def _lazy_cli() -> bool:
    """Whether this tree has runner/stage_task.py, what exec-stage imports since the CLI
    became lazy."""
    import importlib.util

    return importlib.util.find_spec("jupyter_pipeline.runner.stage_task") is not None


def _stamp(line: str) -> float:
    return datetime.fromisoformat(line.split()[0].replace("Z", "+00:00")).timestamp()


def task_times(log: str) -> dict[str, tuple[float, float]]:
    """task -> (its command's seconds, Airflow's seconds around it)."""
    out, start, cmd = {}, {}, {}
    for line in log.splitlines():
        m = re.search(r"\[DAG TEST\] (starting|end task) task_id=(\S+)", line)
        if m and m.group(1) == "starting":
            start[m.group(2)] = _stamp(line)
            current = m.group(2)
        elif m:
            total = _stamp(line) - start[m.group(2)]
            out[m.group(2)] = (cmd[m.group(2)], total - cmd[m.group(2)])
        elif "Running command:" in line:
            begun = _stamp(line)
        elif "Command exited with return code" in line:
            cmd[current] = _stamp(line) - begun
    return out


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--storage", action="store_true", help="handoffs on a moto S3 server")
    p.add_argument("--trivial", type=int, metavar="N", help="exec-stage alone, N times")
    p.add_argument("--against", metavar="TREE",
                   help="with --trivial: interleave with another checkout of nb2pipe")
    p.add_argument("--storage-cost", type=int, metavar="N",
                   help="one stage with and without S3 handoffs, N times each")
    args = p.parse_args()
    if args.trivial:
        trivial(args.trivial, args.against)
        return
    if args.storage_cost:
        storage_cost(args.storage_cost)
        return
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    scratch = Path(tempfile.mkdtemp(prefix="nb2pipe-bench-airflow-"))
    server = None
    try:
        local, alone, on_airflow = (scratch / n for n in ("run", "alone", "airflow"))
        for folder in (local, alone, on_airflow):
            shutil.copytree(WINE, folder)
        nb2pipe("convert", "wine.ipynb", cwd=local, env=env)
        nb2pipe("run", cwd=local, env=env)  # warm the disk caches
        run = nb2pipe("run", "--force", cwd=local, env=env)

        nb2pipe("convert", "wine.ipynb", cwd=alone, env=env)
        each = {}
        for stage in STAGES:
            each[stage] = nb2pipe("exec-stage", f"pipelines/wine/{stage}.ipynb",
                                  f"pipelines/wine/executed/{stage}.ipynb", cwd=alone, env=env)

        export = ["export", "--to", "airflow", "wine.ipynb"]
        if args.storage:
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
            server = subprocess.Popen([str(ENV / "bin" / "moto_server"), "-H", "127.0.0.1",
                                       "-p", str(port)], stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)
            time.sleep(1.0)
            env.update({"AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
                        "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x",
                        "AWS_DEFAULT_REGION": "us-east-1"})
            subprocess.run([sys.executable, "-c", "import s3fs; s3fs.S3FileSystem().mkdir('bench')"],
                           env=env, check=True)
            export += ["--storage", "s3://bench/wine"]
        nb2pipe(*export, cwd=on_airflow, env=env)
        home = scratch / "airflow-home"
        env.update({"AIRFLOW_HOME": str(home), "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                    "AIRFLOW__CORE__DAGS_FOLDER": str(on_airflow / "dags")})
        subprocess.run([str(ENV / "bin" / "airflow"), "db", "migrate"], env=env, check=True,
                       capture_output=True)
        start = time.perf_counter()
        proc = subprocess.run([str(ENV / "bin" / "airflow"), "dags", "test", "wine"], env=env,
                              cwd=on_airflow, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, check=True)
        dags_test = time.perf_counter() - start
        times = task_times(proc.stdout)
    finally:
        if server is not None:
            server.terminate()
        shutil.rmtree(scratch, ignore_errors=True)

    print(f"nb2pipe run --force (5 stages): {run:.1f} s")
    print(f"airflow dags test wine{' (S3 handoffs)' if args.storage else ''}: {dags_test:.1f} s")
    print(f"{'stage':10} {'exec-stage alone':>17} {'task command':>13} {'Airflow around':>15} "
          f"{'task - alone':>13}")
    for stage in STAGES:
        cmd, around = times[stage]
        print(f"{stage:10} {each[stage]:16.2f}s {cmd:12.2f}s {around:14.2f}s "
              f"{cmd + around - each[stage]:12.2f}s")
    print(f"{'sum':10} {sum(each.values()):16.2f}s {sum(c for c, _ in times.values()):12.2f}s "
          f"{sum(a for _, a in times.values()):14.2f}s")


if __name__ == "__main__":
    main()
