"""The process state each stage starts with: only what a notebook cell changed is compared, and a
difference names that cell."""

from __future__ import annotations

import subprocess
import sys

import pytest

from jupyter_pipeline.verify import state
from tests.cli.helpers import write_nb


def _snap(changed=None, **values):
    return {"state": {k.replace("_", "."): v for k, v in values.items()},
            "changed": changed or {}}


def test_a_setting_a_cell_made_that_the_stage_starts_without_is_named_with_the_cell():
    cell = state.cell_hash("plt.rcParams.update(...)")
    whole = _snap({"rc": cell}, rc="(12, 8)", other="1")
    assert state.first_difference([whole, whole], _snap(rc="(6, 4)", other="2"), {cell: 4}) == \
        "rc is (6, 4) in the pipeline, (12, 8) in the notebook (set by cell 5)"


def test_what_no_cell_changed_what_varies_and_what_the_stage_has_not_imported_are_left_out():
    cell = state.cell_hash("x")
    whole = _snap({"a": cell, "b": cell}, a="1", b="1", c="1")
    other_run = _snap({"a": cell, "b": cell}, a="2", b="1", c="1")
    piped = {"state": {"a": "3", "c": "9"}}  # 'b' not there: its library not imported yet
    assert state.first_difference([whole, other_run], piped, {cell: 0}) is None


def test_the_snapshot_runs_in_a_plain_interpreter_and_reads_only_imported_modules():
    code = state.SNAPSHOT + "import sys\ns = _nb2pipe_state()\n" \
        "assert 'pandas' not in sys.modules and 'sys.getrecursionlimit()' in s\nprint('ok')"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip() == "ok"


@pytest.mark.integration
def test_verify_reproduces_or_names_a_process_setting_a_stage_starts_with(tmp_path):
    write_nb(tmp_path, [("stage:a", "import sys\nx = 1"), (None, "sys.setrecursionlimit(4321)"),
                        ("stage:b", "print(x)")])
    proc = subprocess.run([sys.executable, "-m", "jupyter_pipeline.cli", "verify", "nb.ipynb"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    if proc.returncode == 0:
        return  # the pipeline makes the setting again: nothing to report
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "DIFFERENT  b: process state at the start: sys.getrecursionlimit() is 1000 in the " \
           "pipeline, 4321 in the notebook (set by cell 2)" in proc.stdout, proc.stdout
    import re
    import shutil

    shutil.rmtree(re.search(r"the runs are kept in '([^']+)'", proc.stdout).group(1))
