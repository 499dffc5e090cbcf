"""Cancelling a pipeline run from the browser (POST /nb2pipe/run/<id>/cancel), with a real
jupyter_server (pytest-jupyter) and real kernels: the run ends as Ctrl-C ends `nb2pipe run`."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from .test_handlers import _wait_for_end

# `make` is quick; `slow` writes its kernel's pid, then sleeps for `pause` seconds; `total`
# comes after it.
SLOW = [("parameters", "n = 3\npause = 60"),
        ("stage:make", "numbers = list(range(n))"),
        ("stage:slow", "import os, time\nwith open('kernel.pid', 'w') as f:\n"
                       "    f.write(str(os.getpid()))"),
        (None, "time.sleep(pause)\nslept = len(numbers)"),
        ("stage:total", "total = slept + 1\nprint(total)")]


def _alive(pid: int) -> bool:
    """A process that exists and is not a zombie (killed, waiting to be reaped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


async def _wait_for_the_sleep(call, run_id: str, pid_file: Path, timeout: float = 120) -> dict:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        status, reply = await call(f"run/{run_id}", method="GET")
        slow = next(s for s in reply["stages"] if s["name"] == "slow")
        if pid_file.exists() and slow["state"] == "running" and slow["cell"] == "cell 2/2":
            return reply
        assert reply["state"] == "running", reply
        await asyncio.sleep(0.1)
    raise AssertionError(f"stage 'slow' did not reach its sleep in {timeout} s: {reply}")


@pytest.mark.integration
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads kernels' state in /proc")
async def test_cancel_stops_the_running_stage_and_a_following_run_works(call, write_notebook,
                                                                        jp_root_dir):
    write_notebook("nb.ipynb", SLOW)
    assert (await call("export", {"path": "nb.ipynb"}))[0] == 200
    status, reply = await call("run", {"path": "nb.ipynb"})
    assert status == 202, reply
    run_id = reply["run_id"]
    pid_file = jp_root_dir / "kernel.pid"
    await _wait_for_the_sleep(call, run_id, pid_file)
    kernel = int(pid_file.read_text())
    assert _alive(kernel)

    loop = asyncio.get_running_loop()
    asked = loop.time()
    status, reply = await call(f"run/{run_id}/cancel", {})
    assert status == 202 and reply["run_id"] == run_id, reply
    final = await _wait_for_end(call, run_id, timeout=30)
    assert loop.time() - asked < 20, "the cancel waited for the stage's sleep"
    assert final["state"] == "cancelled", final
    states = {s["name"]: (s["state"], s["detail"]) for s in final["stages"]}
    assert states == {"make": ("done", ""), "slow": ("cancelled", "cancelled at cell 2/2"),
                      "total": ("not started", "the run was cancelled")}, states
    assert "Cancelled: stage 'slow' stopped" in final["message"]
    assert final["failure"] is None
    assert not _alive(kernel), "the kernel of the cancelled stage was killed"
    # dvc.lock is valid and records the stage that finished, no other.
    lock = YAML(typ="safe").load((jp_root_dir / "dvc.lock").read_text())
    assert set(lock["stages"]) == {"make"}
    # Cancelling again, or a run that has ended, is refused with the reason.
    status, again = await call(f"run/{run_id}/cancel", {})
    assert status == 409 and "ended already (cancelled)" in again["message"], again

    # The run let go of the repository: the next run starts, skips what is recorded, and
    # finishes the rest.
    params = jp_root_dir / "params.yaml"
    params.write_text(params.read_text().replace("pause: 60", "pause: 0"))
    status, reply = await call("run", {"path": "nb.ipynb"})
    assert status == 202, reply
    final = await _wait_for_end(call, reply["run_id"])
    assert final["state"] == "done", final
    assert [(s["name"], s["state"]) for s in final["stages"]] == [
        ("make", "skipped"), ("slow", "done"), ("total", "done")]


async def test_cancelling_an_unknown_run_is_404(call):
    status, reply = await call("run/ffffffffffffffffffffffffffffffff/cancel", {})
    assert status == 404 and "no run" in reply["message"]


async def test_cancel_without_a_token_is_refused(call):
    # Refused before the run is looked up (an unknown run would be 404).
    status, _ = await call("run/0123/cancel", {}, headers={"Authorization": ""})
    assert status in (401, 403)


def test_a_run_of_experiments_is_not_cancelled_and_says_why(tmp_path):
    """A sweep (Runs.begin without a Cancel) keeps running: the panel is told it cannot stop it."""
    import logging
    import threading

    from jupyter_pipeline.server.runs import NotCancellable, Runs, cancel

    release = threading.Event()
    runs = Runs(tmp_path, logging.getLogger("test"))
    run = runs.begin(tmp_path, ["lr=0.1"], lambda run: release.wait(30))
    try:
        with pytest.raises(NotCancellable, match="experiments cannot be cancelled"):
            cancel(run)
        assert run.state == "running"
    finally:
        release.set()
