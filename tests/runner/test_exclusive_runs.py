"""One run at a time per repository, with real processes: a second `nb2pipe run`, `dvc repro`
beside an nb2pipe run, and an nb2pipe run beside `dvc repro` are refused before they touch
anything, and dvc.lock matches the files afterwards whatever the interleaving."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from tests.integration import harness

pytestmark = pytest.mark.integration

NB2PIPE = str(harness.BIN / "nb2pipe")
DVC = str(harness.BIN / "dvc")

SLOW = """\
stages:
  slow:
    cmd: sleep {seconds} && cat in.txt > out.txt
    deps:
    - in.txt
    outs:
    - out.txt
"""


@pytest.fixture()
def repo(tmp_path) -> Path:
    folder = tmp_path / "r"
    folder.mkdir()
    (folder / "dvc.yaml").write_text(SLOW.format(seconds=6))
    (folder / "in.txt").write_text("one\n")
    harness.make_repo(folder)
    harness.commit_all(folder, "pipeline")
    return folder


def _start(cmd: list[str], folder: Path) -> subprocess.Popen:
    return subprocess.Popen(cmd, cwd=folder, env=harness.env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _wait_for(condition, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def _nb2pipe_holds(folder: Path) -> bool:
    return (folder / ".dvc" / "tmp" / "nb2pipe-run.json").exists()


def _dvc_in_stage(folder: Path) -> bool:
    rwlock = folder / ".dvc" / "tmp" / "rwlock"
    return rwlock.exists() and '"write"' in rwlock.read_text()


def _consistent(folder: Path) -> None:
    status = harness.run([DVC, "status"], folder)
    assert "up to date" in status.stdout, status.stdout + status.stderr


def test_a_second_nb2pipe_run_is_refused_naming_the_first(repo):
    first = _start([NB2PIPE, "run"], repo)
    _wait_for(lambda: _nb2pipe_holds(repo), "the first run to take the repository")
    started = time.monotonic()
    second = subprocess.run([NB2PIPE, "run", "--force"], cwd=repo, env=harness.env(),
                            capture_output=True, text=True, timeout=60)
    assert time.monotonic() - started < 15
    assert second.returncode == 1, second.stdout + second.stderr
    assert "Traceback" not in second.stderr
    assert f"another nb2pipe run is going in this repository (pid {first.pid}, since " in \
        second.stderr, second.stderr
    assert "nb2pipe run" in second.stderr and "Nothing was run" in second.stderr
    out, err = first.communicate(timeout=120)
    assert first.returncode == 0, out + err
    assert (repo / "out.txt").read_text() == "one\n"
    _consistent(repo)
    assert not _nb2pipe_holds(repo), "the note goes with the lock"
    # Released: the next run takes the repository.
    assert "0 stage(s) ran" in harness.run([NB2PIPE, "run"], repo).stdout


def test_dvc_repro_refuses_while_nb2pipe_runs(repo):
    first = _start([NB2PIPE, "run"], repo)
    _wait_for(lambda: _nb2pipe_holds(repo), "the run to take the repository")
    (repo / "in.txt").write_text("two\n")  # dvc repro would run the stage again
    repro = harness.run([DVC, "repro"], repo, check=False)
    assert repro.returncode != 0
    assert "Unable to acquire lock" in repro.stdout + repro.stderr
    out, err = first.communicate(timeout=120)
    assert first.returncode == 0, out + err
    (repo / "in.txt").write_text((repo / "out.txt").read_text())  # as the run saw it
    _consistent(repo)


def test_nb2pipe_run_refuses_while_dvc_repro_is_inside_a_stage(repo):
    """DVC lets go of its repository lock while a stage's command runs; its rwlock names the
    stage's paths then, and the run must not start beside it."""
    repro = _start([DVC, "repro"], repo)
    _wait_for(lambda: _dvc_in_stage(repo), "dvc repro to start its stage")
    time.sleep(0.5)
    second = subprocess.run([NB2PIPE, "run", "--force"], cwd=repo, env=harness.env(),
                            capture_output=True, text=True, timeout=60)
    assert second.returncode == 1, second.stdout + second.stderr
    assert "Traceback" not in second.stderr
    assert f"(pid {repro.pid})" in second.stderr, second.stderr
    assert "Nothing was run" in second.stderr
    out, err = repro.communicate(timeout=120)
    assert repro.returncode == 0, out + err
    _consistent(repo)


def test_a_run_in_the_same_process_is_refused_too(repo):
    """The server runs pipelines in its own process, in threads: a second run there (the panel's
    Run twice, or beside a terminal run) meets the same lock."""
    import threading

    from jupyter_pipeline.runner.run import execute
    from jupyter_pipeline.runner.run_lock import RunRefused

    outcome: list = []
    first = threading.Thread(target=lambda: outcome.append(execute(repo)))
    first.start()
    _wait_for(lambda: _nb2pipe_holds(repo), "the first run to take the repository")
    with pytest.raises(RunRefused) as refused:
        execute(repo, force=True)
    assert f"(pid {os.getpid()}, since" in str(refused.value)
    first.join(timeout=120)
    assert outcome and outcome[0].ok
    _consistent(repo)
