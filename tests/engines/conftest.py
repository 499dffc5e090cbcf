"""The real engines for tests/engines, and what every engine test shares.

Apache Airflow and the kfp SDK live in environments of their own (`make engines-env` builds
them; NB2PIPE_ENGINES_ENV and NB2PIPE_KFP_ENV name them), moto's S3 server on 127.0.0.1 holds
the storage. Every task runs as on a worker of its own: the `nb2pipe` the tasks find first on
PATH copies the exported project into a fresh scratch folder and runs the stage there, so what
one task writes locally can never reach another; only the storage joins them.

`engine` is parametrised over both engines: a test written once runs on Airflow (`airflow dags
test`, SQLite) and on kfp.local (subprocess runner).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pytest

ENGINES_ENV = os.environ.get("NB2PIPE_ENGINES_ENV", "")
KFP_ENV = os.environ.get("NB2PIPE_KFP_ENV", "")
BUCKET = "nb2pipe-tests"
S3_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
          "AWS_DEFAULT_REGION": "us-east-1"}


def _tool(name: str, env: str = ENGINES_ENV) -> Path:
    path = Path(env) / "bin" / name
    if not env or not path.exists():
        pytest.skip(f"needs '{name}' from the engines environments: run `make engines-test` "
                    "(it builds .envs/airflow and .envs/kfp and names them in "
                    "NB2PIPE_ENGINES_ENV and NB2PIPE_KFP_ENV)")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def s3():
    """An S3 server of its own (moto) with one bucket; the environment that reaches it."""
    port = _free_port()
    server = subprocess.Popen([str(_tool("moto_server")), "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    env = {**S3_ENV, "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}"}
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.1)
        subprocess.run([sys.executable, "-c", f"import s3fs; s3fs.S3FileSystem().mkdir({BUCKET!r})"],
                       env={**os.environ, **env}, check=True, timeout=60)
        yield env
    finally:
        server.terminate()
        server.wait(timeout=10)


# The `nb2pipe` a task runs: the project (NB2PIPE_PROJECT_ROOT, as the task sets it) copied into
# a fresh folder under NB2PIPE_TEST_WORKERS, the real nb2pipe run there in the same sub-folder.
WORKER = """#!{python}
import os, shutil, sys, tempfile
project = os.environ["NB2PIPE_PROJECT_ROOT"]
inside = os.path.relpath(os.getcwd(), project)
scratch = tempfile.mkdtemp(prefix="task-", dir=os.environ["NB2PIPE_TEST_WORKERS"])
shutil.copytree(project, scratch, symlinks=True, dirs_exist_ok=True)
os.chdir(os.path.join(scratch, inside))
os.environ["NB2PIPE_PROJECT_ROOT"] = scratch
os.execv({nb2pipe!r}, [{nb2pipe!r}, *sys.argv[1:]])
"""


@pytest.fixture
def workers(tmp_path) -> dict:
    """The environment in which each task runs in a scratch copy of the project (a worker of
    its own); the copies are in the returned NB2PIPE_TEST_WORKERS folder."""
    real = shutil.which("nb2pipe", path=f"{Path(sys.executable).parent}{os.pathsep}"
                        f"{os.environ.get('PATH', '')}")
    assert real, "nb2pipe is not installed beside this Python"
    bin_dir, folder = tmp_path / "worker-bin", tmp_path / "workers"
    bin_dir.mkdir()
    folder.mkdir()
    script = bin_dir / "nb2pipe"
    script.write_text(WORKER.format(python=sys.executable, nb2pipe=real), encoding="utf-8")
    script.chmod(0o755)
    return {"NB2PIPE_TEST_WORKERS": str(folder),
            "PATH": f"{bin_dir}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}"
                    f"{os.environ.get('PATH', '')}"}


@pytest.fixture(scope="session")
def airflow_home(tmp_path_factory):
    """A fresh AIRFLOW_HOME (SQLite), migrated once."""
    home = tmp_path_factory.mktemp("airflow-home")
    proc = subprocess.run([str(_tool("airflow")), "db", "migrate"], env=airflow_env(home),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return home


def airflow_env(home: Path, dags: Path | None = None, extra: dict | None = None) -> dict:
    env = dict(os.environ)
    env.update({"AIRFLOW_HOME": str(home), "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                "AIRFLOW__CORE__DAGS_FOLDER": str(dags or home / "dags"),
                # The tasks run this environment's nb2pipe (and kernels), as a worker would.
                "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
                "PYDEVD_DISABLE_FILE_VALIDATION": "1"})
    env.update(extra or {})
    return env


# Runs an exported KFP pipeline file with kfp.local (components as subprocesses of this machine):
# argv = pipeline file, pipeline root, then NAME=JSON arguments.
KFP_RUN = """
import json, runpy, sys
from kfp import local
local.init(runner=local.SubprocessRunner(use_venv=False), pipeline_root=sys.argv[2])
arguments = dict(a.split("=", 1) for a in sys.argv[3:])
runpy.run_path(sys.argv[1])["pipeline"](**{k: json.loads(v) for k, v in arguments.items()})
"""


@dataclass(frozen=True)
class Engine:
    """One engine as the tests drive it. `run(project, name, params)`: run the exported
    pipeline `name` of `project` once (`params` override params.yaml for this run), the
    process's output in `.stdout`; `message(proc)`: the failing stage's nb2pipe message."""

    name: str  # the `--to` of nb2pipe export
    folder: str  # where the export writes its file
    run: Callable[[Path, str, dict | None], subprocess.CompletedProcess]
    message: Callable[[subprocess.CompletedProcess], str]


def _airflow(home: Path, env: dict) -> Engine:
    def run(project: Path, dag_id: str, params: dict | None = None
            ) -> subprocess.CompletedProcess:
        args = [str(_tool("airflow")), "dags", "test", dag_id]
        if params is not None:
            args += ["-c", json.dumps(params)]
        return subprocess.run(args, env=airflow_env(home, project / "dags", env), cwd=project,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=900)

    def message(proc: subprocess.CompletedProcess) -> str:
        # The task's log line: Airflow's prefix, exec-stage's stderr, Airflow's logger suffix.
        return next(line.split("nb2pipe: ", 1)[1].split(" [airflow.", 1)[0].strip()
                    for line in proc.stdout.splitlines() if "nb2pipe: stage" in line)

    return Engine("airflow", "dags", run, message)


def _kfp(root: Path, env: dict) -> Engine:
    python = str(_tool("python", KFP_ENV))
    runs = iter(range(1, 1000))

    def run(project: Path, name: str, params: dict | None = None
            ) -> subprocess.CompletedProcess:
        full = {**airflow_env(root), **env}
        compiled = subprocess.run([python, str(project / "kfp" / f"{name}.py")], env=full,
                                  capture_output=True, text=True, timeout=300)
        assert compiled.returncode == 0, compiled.stderr
        assert (project / "kfp" / f"{name}.yaml").exists()
        args = [python, "-c", KFP_RUN, str(project / "kfp" / f"{name}.py"),
                str(root / f"run-{next(runs)}")]
        args += [f"{k}={json.dumps(v)}" for k, v in (params or {}).items()]
        return subprocess.run(args, env=full, cwd=project, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=900)

    def message(proc: subprocess.CompletedProcess) -> str:
        return next(line.split("nb2pipe: ", 1)[1] for line in proc.stdout.splitlines()
                    if "nb2pipe: stage" in line).strip()

    return Engine("kfp", "kfp", run, message)


@pytest.fixture(params=["airflow", "kfp"])
def engine(request, s3, workers, tmp_path) -> Engine:
    """Each engine in turn, its tasks on workers of their own, the storage on moto's S3."""
    env: dict[str, Any] = {**s3, **workers}
    if request.param == "airflow":
        return _airflow(request.getfixturevalue("airflow_home"), env)
    return _kfp(tmp_path / "kfp-root", env)
