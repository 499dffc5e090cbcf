"""Every real notebook in ../shared/corpus under `nb2pipe verify`, as a new user runs it: in the
library versions it was written for (SOURCES.md), split at its headings where it has them, with
MPLBACKEND=agg as CI sets it. The verdict is "same" (exit 0) or "same except where the notebook
itself differs between runs" (exit 3, or 0 when its two whole runs happen to agree). Where the
pipeline differs because of a known nb2pipe bug (not verify's), the case is xfail(strict=True)
with the bug: it passes the day the bug is fixed, and strict makes that day visible."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass

import pytest

from . import harness
from .cases import CORPUS

pytestmark = pytest.mark.integration

SAME, VARIES = 0, 3


@dataclass(frozen=True)
class Folder:
    folder: str
    notebook: str
    kernel: str
    by_headings: int | None = None
    verdict: int = SAME
    bug: str | None = None  # a known nb2pipe bug that makes the pipeline differ today
    fewer_coincidences: bool = False  # kale-candies: see harness.candies_copy
    # A difference the notebook itself makes now and then, which two whole runs rarely catch:
    # (the cell, a pattern the output of the run that warned matches: whole run or pipeline,
    # either may be the one). Every other difference fails.
    flips: tuple[tuple[int, str], ...] = ()


A, B = "nb2pipe-corpus-a", "nb2pipe-corpus-b"
FOLDERS = [
    Folder("elyra-run-notebook", "a-notebook.ipynb", A),
    Folder("kale-candies", "candies_sharing.ipynb", A, verdict=VARIES, fewer_coincidences=True),
    Folder("kale-params-metrics", "pipeline_parameters_and_metrics.ipynb", A, verdict=VARIES),
    # Unseeded np.random ages: every stage after them is downstream of the variation.
    Folder("kale-titanic", "titanic_dataset_ml.ipynb", B, verdict=VARIES),
    Folder("soorgeon-exploratory", "nb.ipynb", A, 2),
    Folder("handson-tools-pandas", "tools_pandas.ipynb", A, 2),
    Folder("pmlp-bike-linreg", "linear_regression.ipynb", A, 2, VARIES),
    Folder("pmlp-wine-eda", "Exploratory Data Analysis.ipynb", B, 2),
    # Cell 18's LogisticRegression stops at lbfgs' iteration limit within rounding: whether it
    # warns depends on the process (where the arrays lie in memory, seen with one BLAS thread
    # too), so a run, whole or as a pipeline, warns now and then (2 CI runs of 3 on 2026-12-01).
    Folder("pmlp-feature-selection", "Feature Selection.ipynb", A, 1, VARIES,
           flips=((18, r"\[stderr\] .*ConvergenceWarning: lbfgs failed to converge"),)),
    Folder("realpython-bond-analysis", "data_analysis_results.ipynb", A, 2),
    Folder("realpython-numpy-files", "tutorial_code.ipynb", A, 1, VARIES),
    Folder("ploomber-arima", "arima-python.ipynb", A, 2, VARIES),
    Folder("statsmodels-deterministics", "deterministics.ipynb", A, 2, VARIES),
    Folder("statsmodels-stationarity", "stationarity_detrending_adf_kpss.ipynb", A, 2),
    Folder("statsmodels-quantreg", "quantile_regression.ipynb", A, 2, VARIES),
    Folder("tsarkar-svm-gridsearch", "Support_Vector_Machine_Classification.ipynb", A, 2),
    Folder("tsarkar-oop-linreg", "Class_MyLinearRegression.ipynb", A, 3, VARIES),
    Folder("scipy-cookbook-resampling", "resampling_tutorial_2a.ipynb", A, 3, VARIES),
]


def _param(f: Folder):
    marks = [pytest.mark.xfail(strict=True, reason=f.bug)] if f.bug else []
    return pytest.param(f, id=f.folder, marks=marks)


@pytest.mark.parametrize("case", [_param(f) for f in FOLDERS])
def test_corpus_notebook_verifies(case: Folder, monkeypatch, tmp_path):
    from jupyter_client.kernelspec import KernelSpecManager

    if case.kernel not in KernelSpecManager().find_kernel_specs():
        raise AssertionError(f"kernel '{case.kernel}' is missing: run 'make corpus-envs' "
                             "(make test does it)")
    folder = CORPUS / case.folder
    if case.fewer_coincidences:
        folder = harness.candies_copy(folder, tmp_path)
    cmd = [str(harness.BIN / "nb2pipe"), "verify", case.notebook, "--kernel", case.kernel]
    cmd += [f"--by-headings={case.by_headings}"] if case.by_headings else []
    monkeypatch.setenv("MPLBACKEND", "agg")  # as CI sets it
    # One BLAS thread: a multi-threaded BLAS sums in an order that depends on the load, so an
    # iterative fit near its iteration limit (pmlp-feature-selection's LogisticRegression)
    # converges in one run and warns in the next, more rarely than two whole runs can see.
    for threads in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.setenv(threads, "1")
    proc = harness.run(cmd, folder, check=False, timeout=1800)
    kept = re.search(r"the runs are kept in '([^']+)'", proc.stdout + proc.stderr)
    if kept:
        shutil.rmtree(kept.group(1), ignore_errors=True)
    shown = proc.stdout[-6000:] + proc.stderr[-3000:]
    assert "Traceback" not in shown, shown
    different = [line for line in proc.stdout.splitlines() if line.startswith("DIFFERENT")]
    at = r": cell {} \('[^']*'\): output \d+, line \d+: "
    flipped = [line for line in different if any(
        re.search(at.format(cell) + rf"notebook '{pattern}.*', pipeline '", line)
        or re.search(at.format(cell) + rf"notebook '.*', pipeline '{pattern}", line)
        for cell, pattern in case.flips)]
    if different and flipped == different and proc.returncode == 1:
        return  # only the notebook's own flip (see `flips`); nothing else differed
    # A notebook that varies by itself may now and then run the same twice: then it is equal.
    assert proc.returncode in ({SAME} if case.verdict == SAME else {SAME, VARIES}), shown
