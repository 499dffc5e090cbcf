"""The real engines for tests/engines: Apache Airflow in its own environment (`make engines-env`
builds it; NB2PIPE_ENGINES_ENV names it) and moto's S3 server on 127.0.0.1 for the handoffs."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ENGINES_ENV = os.environ.get("NB2PIPE_ENGINES_ENV", "")
KFP_ENV = os.environ.get("NB2PIPE_KFP_ENV", "")
BUCKET = "nb2pipe-tests"
S3_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
          "AWS_DEFAULT_REGION": "us-east-1"}


def _tool(name: str, env: str = ENGINES_ENV) -> Path:
    path = Path(env) / "bin" / name
    if not env or not path.exists():
        pytest.skip(f"needs '{name}' from the engines environment: run `make engines-test` "
                    "(it builds .envs/airflow and sets NB2PIPE_ENGINES_ENV)")
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


@pytest.fixture(scope="session")
def airflow_home(tmp_path_factory):
    """A fresh AIRFLOW_HOME (SQLite), migrated once."""
    home = tmp_path_factory.mktemp("airflow-home")
    env = airflow_env(home)
    proc = subprocess.run([str(_tool("airflow")), "db", "migrate"], env=env,
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


def dags_test(home: Path, project: Path, dag_id: str, s3_env: dict, conf: str | None = None
              ) -> subprocess.CompletedProcess:
    """`airflow dags test DAG_ID` on the project's exported DAGs (every task in-process)."""
    args = [str(_tool("airflow")), "dags", "test", dag_id]
    if conf is not None:
        args += ["-c", conf]
    return subprocess.run(args, env=airflow_env(home, project / "dags", s3_env), cwd=project,
                          capture_output=True, text=True, timeout=600)


# Runs an exported KFP pipeline file with kfp.local (components as subprocesses of this machine,
# sharing its files): argv = pipeline file, pipeline root, then NAME=JSON arguments.
KFP_RUN = """
import json, runpy, sys
from kfp import local
local.init(runner=local.SubprocessRunner(use_venv=False), pipeline_root=sys.argv[2])
arguments = dict(a.split("=", 1) for a in sys.argv[3:])
runpy.run_path(sys.argv[1])["pipeline"](**{k: json.loads(v) for k, v in arguments.items()})
"""


def kfp_run(project: Path, name: str, root: Path, s3_env: dict, **arguments
            ) -> subprocess.CompletedProcess:
    """Compile the project's exported pipeline, then run it with kfp.local."""
    python = str(_tool("python", KFP_ENV))
    env = {**airflow_env(root), **s3_env}
    compiled = subprocess.run([python, str(project / "kfp" / f"{name}.py")], env=env,
                              capture_output=True, text=True, timeout=300)
    assert compiled.returncode == 0, compiled.stderr
    assert (project / "kfp" / f"{name}.yaml").exists()
    args = [python, "-c", KFP_RUN, str(project / "kfp" / f"{name}.py"), str(root)]
    args += [f"{k}={json.dumps(v)}" for k, v in arguments.items()]
    return subprocess.run(args, env=env, cwd=project, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=600)
