"""The pipeline computes what the notebook computes: real papermill, real ipykernel, real DVC.

For each notebook: run it whole (with probes), convert it, `dvc repro` it in a fresh git + DVC
repository, and compare every handed-off value at the end of each stage and every file written.
Then the DVC workflow a user relies on: `dvc status` clean, `dvc dag`, `dvc exp run -S`
re-running exactly the affected stages, `dvc exp show` with params and metrics.
"""

from __future__ import annotations

import json

import pytest

from jupyter_pipeline import api

from . import harness
from .cases import CORPUS_CASES, EXAMPLE_CASES, REAL_CASES, Case

pytestmark = pytest.mark.integration

CASES = EXAMPLE_CASES + CORPUS_CASES + REAL_CASES


def _kernel_ready(case: Case) -> None:
    if case.kernel is None:
        return
    from jupyter_client.kernelspec import KernelSpecManager

    if case.kernel not in KernelSpecManager().find_kernel_specs():
        raise AssertionError(
            f"kernel '{case.kernel}' for {case.id} is missing: run 'make corpus-envs' "
            "(make test does it)")


@pytest.fixture(scope="module", params=CASES, ids=[c.id for c in CASES])
def converted(request, tmp_path_factory):
    """(case, analysis, pipeline folder, probes folder, whole-run folder) after both runs."""
    case: Case = request.param
    _kernel_ready(case)
    root = tmp_path_factory.mktemp(case.id)
    whole = harness.copy_folder(case.folder, root / "whole")
    pipe = harness.copy_folder(case.folder, root / "pipe")
    analysis = api.analyze_path(pipe / case.notebook, case.by_headings)
    assert analysis.ok, [d.render(case.notebook) for d in analysis.errors]
    harness.run_whole(whole / case.notebook, analysis, root / "probes", case.kernel)

    harness.make_repo(pipe)
    cmd = [str(harness.BIN / "nb2pipe"), "convert", case.notebook]
    if case.kernel:
        cmd += ["--kernel", case.kernel]
    if case.by_headings:
        cmd += [f"--by-headings={case.by_headings}"]
    harness.run(cmd, pipe)
    harness.commit_all(pipe, "converted")
    repro = harness.run([str(harness.BIN / "dvc"), "repro"], pipe)
    return case, analysis, pipe, root / "probes", whole, repro.stdout + repro.stderr


def test_every_stage_ran(converted):
    case, analysis, pipe, _, _, output = converted
    assert harness.ran_stages(output) == [s.name for s in analysis.pipeline.stages]


def test_handed_off_values_match_the_whole_notebook(converted):
    case, analysis, pipe, probes, _, _ = converted
    data = next((pipe / "pipelines").iterdir()) / "data"
    diffs = harness.compare_values(analysis, probes, data, case.compare, case.kernel)
    assert not diffs, "\n".join(map(str, diffs))


def test_files_written_match_the_whole_notebook(converted):
    case, analysis, pipe, _, whole, _ = converted
    problems = harness.compare_files(analysis, whole, pipe)
    assert not problems, "\n".join(problems)


def test_dvc_status_is_clean_after_repro(converted):
    _, _, pipe, _, _, _ = converted
    out = harness.run([str(harness.BIN / "dvc"), "status"], pipe).stdout
    assert "up to date" in out, out


def test_dvc_dag_draws_every_stage(converted):
    _, analysis, pipe, _, _, _ = converted
    out = harness.run([str(harness.BIN / "dvc"), "dag"], pipe).stdout
    for stage in analysis.pipeline.stages:
        assert stage.name in out


def _downstream(analysis, roots: set[str]) -> set[str]:
    affected = set(roots)
    for stage in analysis.pipeline.stages:  # notebook order is a topological order
        if set(stage.upstream) & affected:
            affected.add(stage.name)
    return affected


def test_exp_run_reruns_exactly_the_affected_stages(converted):
    case, analysis, pipe, _, _, _ = converted
    if case.experiment is None:
        assert not analysis.pipeline.params, f"{case.id} has parameters: give it an experiment"
        return
    param, value = case.experiment
    readers = {s.name for s in analysis.pipeline.stages if param in s.params}
    assert readers, f"no stage reads '{param}'"
    expected = _downstream(analysis, readers)
    out = harness.run([str(harness.BIN / "dvc"), "exp", "run", "-S", f"{param}={value}"], pipe)
    ran = set(harness.ran_stages(out.stdout + out.stderr))
    assert ran == expected, f"ran {sorted(ran)}, expected {sorted(expected)}"

    shown = harness.exp_show(pipe)
    params_seen, metrics_seen = set(), set()
    for entry in shown:
        for exp in [entry] + [e for r in entry.get("experiments") or [] for e in r.get("revs", [])]:
            data = (exp.get("data") or {})
            for file in (data.get("params") or {}).values():
                params_seen |= set((file.get("data") or {}).keys())
            for file in (data.get("metrics") or {}).values():
                metrics_seen |= set((file.get("data") or {}).keys())
    assert param in params_seen
    written: set[str] = set()
    for metrics_file in (pipe / "pipelines").glob("*/metrics/*.json"):
        written |= set(json.loads(metrics_file.read_text()))
    if any(s.metrics for s in analysis.pipeline.stages):
        assert written, "a metrics cell produced no metrics file"
    assert written <= metrics_seen, f"metrics shown: {metrics_seen}, written: {written}"


def test_stage_scripts_compute_the_same_with_plain_python(converted):
    """The .py of each stage, run in order with `python` from the notebook's folder."""
    case, analysis, pipe, probes, _, _ = converted
    if case.kernel is not None:
        return  # old-library notebooks: the scripts need nb2pipe's own environment
    scripts = harness.copy_folder(case.folder, probes.parent / "scripts")
    harness.run([str(harness.BIN / "nb2pipe"), "convert", case.notebook]
                + ([f"--by-headings={case.by_headings}"] if case.by_headings else []), scripts)
    base = next((scripts / "pipelines").iterdir())
    for stage in analysis.pipeline.stages:
        harness.run([str(harness.BIN / "python"), str(base / f"{stage.name}.py")], scripts)
    diffs = harness.compare_values(analysis, probes, base / "data", case.compare)
    assert not diffs, "\n".join(map(str, diffs))
