"""`nb2pipe verify`: agrees on deterministic notebooks, finds the difference where runs differ,
and never touches the user's folder."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from tests.nbbuild import notebook

from . import harness
from .cases import CORPUS_CASES, EXAMPLE_CASES, REAL_CASES

pytestmark = pytest.mark.integration

AGREE = EXAMPLE_CASES + [c for c in CORPUS_CASES + REAL_CASES if c.compare == "values"]


def _listing(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def _remove_kept(proc) -> None:
    """A failing verify keeps its runs for the user to open, and says where."""
    shown = proc.stdout + proc.stderr.replace("\n", "")
    found = re.search(r"the runs are kept in '([^']+)'", shown)
    assert found, proc.stdout + proc.stderr
    shutil.rmtree(found.group(1))


@pytest.mark.parametrize("case", AGREE, ids=[c.id for c in AGREE])
def test_verify_agrees_on_deterministic_notebooks(case):
    before = _listing(case.folder)
    cmd = [str(harness.BIN / "nb2pipe"), "verify", case.notebook]
    cmd += ["--kernel", case.kernel] if case.kernel else []
    cmd += [f"--by-headings={case.by_headings}"] if case.by_headings else []
    proc = harness.run(cmd, case.folder, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "the pipeline computes what the notebook computes" in proc.stdout
    assert _listing(case.folder) == before, "verify must not write into the user's folder"


def test_verify_tells_the_notebook_s_own_randomness_from_a_difference(tmp_path):
    case = next(c for c in CORPUS_CASES if c.id == "kale-candies")
    proc = harness.run([str(harness.BIN / "nb2pipe"), "verify", case.notebook, "--kernel",
                        case.kernel], harness.candies_copy(case.folder, tmp_path), check=False)
    # Each kid draws an unseeded random number of candies: the two whole runs draw differently
    # (now and then the same), so the kids' lines are the notebook's own variation, not the
    # pipeline's; everything else is the same.
    assert proc.returncode in (0, 3), proc.stdout + proc.stderr
    assert "same       sack" in proc.stdout and "DIFFERENT" not in proc.stdout
    if proc.returncode == 3:
        # cells by the number JupyterLab shows: cell 6 is the one with id 'cell-5'
        shown = re.findall(r"the notebook itself differs between runs: cell (\d+) "
                           r"\('cell-(\d+)'\): output 1, line 1", proc.stdout)
        assert shown and all(int(n) == int(i) + 1 for n, i in shown), proc.stdout


def test_a_notebook_whose_kernel_dies_gets_a_message_not_a_traceback(tmp_path):
    from tests.cli.helpers import write_nb

    write_nb(tmp_path, [("stage:a", "x = 1"), ("stage:b", "import os\nos._exit(3)")])
    before = _listing(tmp_path)
    proc = harness.run([str(harness.BIN / "nb2pipe"), "verify", "nb.ipynb"], tmp_path,
                       check=False)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "'nb.ipynb' did not finish when run top to bottom: the kernel died" in proc.stderr
    assert _listing(tmp_path) == before
    _remove_kept(proc)


def test_verify_names_a_kernel_that_is_not_installed(tmp_path):
    # Notebooks saved by other editors name kernels that exist only there (VS Code writes names
    # like 'python37364bit8d3b...'); papermill's NoSuchKernel was a traceback.
    nb = notebook([("stage:a", "x = 1")])
    nb["metadata"]["kernelspec"]["name"] = "python37364bit8d3b438fb5fc"
    (tmp_path / "nb.ipynb").write_text(json.dumps(nb))
    proc = harness.run([str(harness.BIN / "nb2pipe"), "verify", "nb.ipynb"], tmp_path, check=False)
    assert proc.returncode == 1 and "Traceback" not in proc.stdout + proc.stderr
    assert "there is no Jupyter kernel named 'python37364bit8d3b438fb5fc'" in proc.stderr
    assert "pass '--kernel NAME' to verify" in proc.stderr
    _remove_kept(proc)
    proc = harness.run([str(harness.BIN / "nb2pipe"), "verify", "nb.ipynb", "--kernel",
                        "python3"], tmp_path, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_a_notebook_without_a_kernelspec_runs_with_python3(tmp_path):
    # Notebooks written by scripts (nbformat.v4.new_notebook(), jupytext) name no kernel;
    # papermill refused them and verify failed "unexpectedly".
    nb = notebook([("stage:a", "x = 1"), ("stage:b", "print(x + 1)")])
    del nb["metadata"]["kernelspec"]
    (tmp_path / "nb.ipynb").write_text(json.dumps(nb))
    proc = harness.run([str(harness.BIN / "nb2pipe"), "verify", "nb.ipynb"], tmp_path, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "the pipeline computes what the notebook computes" in proc.stdout
