"""The executed stage notebooks papermill writes after every cell go through nb2pipe's one atomic
write (runtime/atomic.py): a folder on the way that a stage turns into a symlink at run time
(after every check before the run) gets no file written where the link leads."""

from __future__ import annotations

import pytest

from .test_runner import _notebook_project, nb2pipe

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("how", ["nb2pipe run", "dvc repro"])
def test_an_executed_notebook_is_not_written_through_a_link_a_stage_made(tmp_path, how):
    from . import harness

    outside = tmp_path / "outside"
    # Stage a swaps the folder of the executed notebooks for a link to a folder outside the
    # repository while it runs; papermill then writes a's next version of it.
    swap = (f"import os\nos.rename('pipelines/nb/executed', 'pipelines/nb/kept')\n"
            f"os.mkdir({str(outside)!r})\nos.symlink({str(outside)!r}, 'pipelines/nb/executed')")
    # b reads a's value, so it runs after a: run in parallel, b's own executed notebook could
    # recreate the folder between a's rename and a's link (a then fails to make the link)
    folder = _notebook_project(tmp_path, [("stage:a", swap + "\nx = 1"), ("stage:b", "y = x + 1")])
    if how == "nb2pipe run":
        proc = nb2pipe("run", cwd=folder)
    else:
        proc = harness.run([str(harness.BIN / "dvc"), "repro"], folder, check=False)
    shown = proc.stdout + proc.stderr
    assert proc.returncode != 0, shown
    assert "leads outside" in shown and "Traceback" not in shown, shown
    assert list(outside.iterdir()) == [], "a file was written where the link leads"
