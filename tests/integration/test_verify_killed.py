"""`nb2pipe verify` killed outright (SIGKILL: a CI time-out, `kill -9`) takes its kernels with it:
the whole runs' kernels and the pipeline's. A kernel left behind goes on computing and holds the
output pipe of whoever started verify, so a CI step or `verify | tee` never ends."""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from tests.cli.helpers import write_nb

from . import harness
from .test_runner import _processes_with

pytestmark = [pytest.mark.integration,
              pytest.mark.skipif(not Path("/proc/self/environ").exists(),
                                 reason="finds kernels in /proc")]


# `sum(range(...))` computes in C holding the GIL, so ipykernel's parent poller (a thread) cannot
# notice that its parent went: only the kernel's own death signal ends it.
@pytest.mark.parametrize(("kernel", "busy"), [
    (None, "import time\ntime.sleep(120)"),
    (None, "sum(range(10**12))"),
    ("nb2pipe-corpus-a", "sum(range(10**12))")],
    ids=["sleeping", "holding the GIL", "holding the GIL, an old-library kernel"])
def test_kernels_die_with_a_verify_killed_by_sigkill(tmp_path, kernel, busy):
    from jupyter_client.kernelspec import KernelSpecManager

    if kernel and kernel not in KernelSpecManager().find_kernel_specs():
        raise AssertionError(f"kernel '{kernel}' is missing: run 'make corpus-envs' "
                             "(make test does it)")
    write_nb(tmp_path, [("stage:a", "x = 1"),
                        ("stage:b", f"{busy}\ny = x")])
    marker = uuid.uuid4().hex
    env = dict(harness.env(), NB2PIPE_TEST_RUN=marker)
    proc = subprocess.Popen([str(harness.BIN / "nb2pipe"), "verify", "nb.ipynb"]
                            + (["--kernel", kernel] if kernel else []), cwd=tmp_path,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # verify itself, its two whole runs' kernels and the pipeline's kernel for stage b
    deadline = time.monotonic() + 120
    while len(_processes_with(marker)) < 4 and time.monotonic() < deadline:
        time.sleep(0.5)
    time.sleep(2)  # every kernel is busy in stage b now
    assert len(_processes_with(marker)) >= 4, _processes_with(marker)
    proc.send_signal(signal.SIGKILL)
    # The pipes close: no kernel holds them.
    proc.communicate(timeout=30)
    deadline = time.monotonic() + 10
    while _processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _processes_with(marker) == [], "kernels outlived verify"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nb.ipynb"], \
        "verify must not write into the user's folder, even killed"


def test_a_notebook_that_fails_by_itself_is_named_by_cell_line_and_code(tmp_path):
    """The cell as JupyterLab numbers it, found by its error output (papermill's banner and
    verify's probe cells shift the executed notebook's positions); no log line beside it."""
    write_nb(tmp_path, [("stage:a", "x = 1"), ("stage:b", "y = 2\nimport no_such_module_here")])
    proc = harness.run([str(harness.BIN / "nb2pipe"), "verify", "nb.ipynb"], tmp_path,
                       check=False)
    assert proc.returncode == 1
    assert ("'nb.ipynb' itself fails when run top to bottom: ModuleNotFoundError: No module "
            "named 'no_such_module_here' (cell 2, line 2 (`import no_such_module_here`))"
            in proc.stderr), proc.stderr
    assert "Traceback" not in proc.stderr and "Kernel died" not in proc.stderr
    kept = re.search(r"the runs are kept in '([^']+)'", proc.stderr.replace("\n", ""))
    assert kept, proc.stderr
    shutil.rmtree(kept.group(1))
