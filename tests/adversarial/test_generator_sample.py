"""A fixed sample of the adversarial generator (tools/adversarial) in the normal test run: each
construct split so that every cell is its own stage, run whole with papermill and as a pipeline
with `nb2pipe run`, compared cell by cell. None may differ silently or crash at run time;
refused at convert (naming the cell) and warned are honest outcomes. The sample holds the
constructs that once differed silently or crashed, and a few of each group that never did.
A construct still known to be broken is marked xfail(strict=True) with the reason, so fixing it
turns the test red until the mark goes. The whole generator: `make adversarial`."""

from __future__ import annotations

import pytest

from tools.adversarial.check import check
from tools.adversarial.generate import cases

pytestmark = pytest.mark.integration

OK = ("same", "refused", "warned")

SAMPLE = (
    # once silent
    "getstate-drops", "logging-level", "module-import-setting", "module-state", "glob-folder",
    "seed-in-skip", "exists-check", "logging-filemode-w",
    # once crashed at run time
    "scaler-copy-false", "operator-setitem", "df-apply-mutating-fn", "map-list-consumed",
    "helper-writes-given-path", "eval-in-function", "run-script", "writefile-module",
    # one or two of each group that never broke
    "freq", "max-key", "mutable-default", "lambda-defaultdict", "inplace-dropna",
)

# Constructs run with `dvc repro` too (in a fresh git + DVC repository), each compared with the
# whole run as with `nb2pipe run`: those added since the generator last ran with --dvc.
WITH_DVC = (
    "star-import-module", "star-import-writefile", "getstate-in-list", "getstate-attribute",
    "stored-into-shares",
    # once silent (views made by calls, arrays taken from frames, a cache with a side effect,
    # a file another stage writes deleted), or a false DIFFERENT (a notebook's exception class)
    "view-by-reshape", "array-from-frame", "cached-with-side-effect", "delete-other-stages-file",
    "exception-instance",
    # once warned and different: settings made from notebook values (literals folded in, other
    # values loaded and the setting made after the loads)
    "rcparams-from-dict", "setting-from-computed", "setting-from-notebook-function",
    "setting-in-try", "setting-made-again-later",
    # once refused at run time: dict views (now handed with their dict, and views of it)
    "dict-views",
    # once warned and different: a star import of a module that star-imports another
    "star-import-chain",
    # once unordered: a file read at a path only the run knows
    "read-path-known-at-run-time",
    # once silent (a chained assignment's shared object, each stage's own hash seed) or failed
    # at run time (a file written by a call nb2pipe does not know read in parallel)
    "chained-assign", "hash-consistency", "zipfile-roundtrip",
)

# construct -> why it is still broken (none of the sample, as of the last generator run in
# BENCHMARKS.md)
KNOWN_BROKEN: dict[str, str] = {}

_CASES = {c.id: c for c in cases() if c.id.endswith("/each")}


def _param(name: str):
    marks = [pytest.mark.xfail(strict=True, reason=KNOWN_BROKEN[name])] \
        if name in KNOWN_BROKEN else []
    return pytest.param(name, marks=marks, id=name)


def test_the_sample_names_constructs_that_exist():
    assert [n for n in SAMPLE + WITH_DVC if f"{n}/each" not in _CASES] == []


@pytest.mark.parametrize("name", [_param(n) for n in SAMPLE])
def test_a_construct_computes_what_the_notebook_computes_or_is_refused(name, tmp_path):
    case = _CASES[f"{name}/each"]
    (outcome,) = check(case, tmp_path, ("nb2pipe run",))
    shown = "\n".join(f"cell {d['cell']}: notebook {d['notebook']!r}, pipeline {d['pipeline']!r}"
                      for d in outcome.differences)
    assert outcome.verdict in OK, f"{outcome.verdict}: {outcome.detail}\n{shown}"


@pytest.mark.parametrize("name", [_param(n) for n in WITH_DVC])
def test_a_construct_computes_what_the_notebook_computes_with_dvc_repro_and_nb2pipe_run(
        name, tmp_path):
    outcomes = check(_CASES[f"{name}/each"], tmp_path, ("nb2pipe run", "dvc repro"))
    assert [(o.engine, o.verdict) for o in outcomes if o.verdict not in OK] == [], \
        "\n".join(f"{o.engine}: {o.verdict}: {o.detail}\n{o.differences}" for o in outcomes)
