"""`nb2pipe verify` end to end (real papermill, ipykernel and the embedded runner): a notebook that
varies by itself is told apart from a pipeline that differs, the scratch copies do not show, `../`
paths work, a cell that hangs is stopped with a message, and a failing verify keeps its runs."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.helpers import write_nb

pytestmark = pytest.mark.integration


def verify(folder: Path, *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "jupyter_pipeline.cli", "verify", "nb.ipynb",
                           *args], cwd=folder, capture_output=True, text=True, timeout=timeout)
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    return proc


def _listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def _kept(proc: subprocess.CompletedProcess) -> Path:
    found = re.search(r"the runs are kept in '([^']+)'", proc.stdout + proc.stderr)
    assert found, proc.stdout + proc.stderr
    return Path(found.group(1))


def test_a_notebook_that_varies_by_itself_is_reported_as_such_and_the_rest_compared(tmp_path):
    write_nb(tmp_path, [
        ("stage:draw", "import random, time\nt0 = time.time()\nx = random.random()\n"
                       "print('drawn', x)\nprint('always 7')\nrows = [random.random()] * 3"),
        ("stage:use", "y = x * 2\nprint(len(rows), 'rows')\nprint(id(rows) > 0)\n"
                      "print('elapsed', time.time() - t0)"),
    ])
    before = _listing(tmp_path)
    proc = verify(tmp_path)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    out = proc.stdout
    assert "same       draw" in out and "same       use" in out
    assert "the notebook itself differs between runs: cell 1 ('c0'): output 1, line 1" in out
    assert re.search(r"the notebook itself differs between runs: value '(t0|x|rows)' at the end",
                     out)
    assert "except where the notebook itself differs between runs" in out
    assert "kept" not in out, "a verify that passes leaves nothing behind"
    assert "more time(s)" not in out, "nothing differed: no extra whole run"
    assert _listing(tmp_path) == before


def test_a_coin_that_fell_alike_in_both_whole_runs_costs_one_more_run_not_a_false_difference(
        tmp_path):
    # An unseeded coin flip (random.choice([0, 1])) falls alike in both whole runs half of the
    # time, and a correct pipeline then draws the other side half of that. To make that case
    # happen every time, the coin here falls by the run it is in: 0 in the first two whole
    # runs (verify's nb-run-1 and nb-run-2), 1 in the pipeline and in any further whole run.
    write_nb(tmp_path, [
        ("stage:flip", "import os\nrun = os.path.basename(os.path.dirname(os.getcwd()))\n"
                       "coin = 0 if run in ('nb-run-1', 'nb-run-2') else 1\n"
                       "print('coin', coin)\nprint('always 7')"),
        ("stage:use", "print('ten times', coin * 10)"),
    ])
    proc = verify(tmp_path)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    out = proc.stdout
    assert "same       flip" in out and "same       use" in out, out
    assert "the notebook itself differs between runs: cell 1 ('c0'): output 1, line 1" in out
    assert "ran the notebook top to bottom 1 more time(s)" in out, out
    assert "kept" not in out


def test_a_pipeline_difference_is_found_beside_the_notebook_s_own_variation(tmp_path):
    # IPython's input history (In) holds the cells this kernel ran: a later stage's kernel has
    # run fewer, deterministically, so its output differs from the notebook's.
    write_nb(tmp_path, [
        ("stage:draw", "import random\nx = random.random()\nprint(x)"),
        ("stage:use", "print('cells run so far', len(In))"),
    ])
    proc = verify(tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert re.search(r"DIFFERENT  use: cell 2 \('c1'\): output 1, line 1: notebook "
                     r"'\[stdout\] cells run so far \d+', pipeline", proc.stdout), proc.stdout
    assert "the notebook itself differs between runs: cell 1 ('c0')" in proc.stdout
    # A difference no further whole run explains: both extra runs were spent, then DIFFERENT.
    assert "ran the notebook top to bottom 2 more time(s)" in proc.stdout, proc.stdout
    kept = _kept(proc)
    try:
        assert list(kept.glob("pipeline/*/pipelines/nb/executed/use.ipynb"))
        assert (kept / "nb-run-1.ipynb").exists()
    finally:
        shutil.rmtree(kept)


def test_scratch_folders_do_not_show_and_parent_paths_work_as_in_the_user_s_folder(tmp_path):
    project = tmp_path / "project"
    (project / "data").mkdir(parents=True)
    (project / "data" / "x.csv").write_text("a\n1\n")
    (project / "results.csv").write_text("the user's own file\n")
    nb_folder = project / "analysis"
    write_nb(nb_folder, [
        ("stage:read", "import os, pathlib\nprint(os.getcwd())\nprint(pathlib.Path.cwd().name)\n"
                       "here = os.getcwd()\nrows = open('../data/x.csv').read().split()\n"
                       "print(os.path.abspath('../data/x.csv'))"),
        ("stage:write", "print(len(here), here == os.getcwd())\n"
                        "open('../results.csv', 'w').write(','.join(rows))"),
    ])
    before = _listing(project)
    proc = verify(nb_folder)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "the pipeline computes what the notebook computes" in proc.stdout
    assert _listing(project) == before
    assert (project / "results.csv").read_text() == "the user's own file\n"


def test_a_cell_that_runs_too_long_is_stopped_with_a_message_and_the_runs_kept(tmp_path):
    write_nb(tmp_path, [("stage:a", "x = 1"), ("stage:b", "import time\ntime.sleep(60)")])
    proc = verify(tmp_path, "--timeout", "3", timeout=120)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    text = proc.stdout + proc.stderr
    assert "ran longer than 3 s" in text and "--timeout SECONDS" in text, text
    shutil.rmtree(_kept(proc))


def test_handed_over_indexes_keep_their_metadata(tmp_path):
    write_nb(tmp_path, [
        ("stage:make", "import pandas as pd\n"
                       "days = pd.date_range('2020-01-01', periods=4, freq='D')\n"
                       "pairs = pd.MultiIndex.from_product([['a', 'b'], [1, 2]])[:2]\n"
                       "labels = pd.Index(['x', 'y'], name='label')"),
        ("stage:use", "print(days.freq, pairs.levels[0].tolist(), labels.name)"),
    ])
    proc = verify(tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "same       make" in proc.stdout


def test_what_a_library_writes_to_file_descriptor_1_stays_in_the_notebook_not_the_report(
        tmp_path):
    """C and Fortran code print to fd 1 (scipy's L-BFGS-B prints its iterations, as statsmodels'
    state-space fits show): ipykernel puts that in the notebook and echoed it to the kernel's
    own stdout, which was verify's report (a page of optimizer output per whole run)."""
    write_nb(tmp_path, [("stage:a", "import os\nos.write(1, b'FROM-FD-ONE\\n')\nx = 1"),
                        ("stage:b", "print(x + 1)")])
    proc = verify(tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "FROM-FD-ONE" not in proc.stdout + proc.stderr
    subprocess.run([sys.executable, "-m", "jupyter_pipeline.cli", "convert", "nb.ipynb"],
                   cwd=tmp_path, check=True, capture_output=True)
    run = subprocess.run([sys.executable, "-m", "jupyter_pipeline.cli", "run"], cwd=tmp_path,
                         capture_output=True, text=True, check=True)
    assert "FROM-FD-ONE" not in run.stdout + run.stderr
    executed = (tmp_path / "pipelines" / "nb" / "executed" / "a.ipynb").read_text()
    assert "FROM-FD-ONE" in executed, "the notebook's own output keeps it"
