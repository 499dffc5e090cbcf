"""End to end: a change nb2pipe's analysis cannot see (a library call that changes its argument)
stops the run loudly, naming the value and the stages, where the later stage would otherwise
have read the old value and computed something else than the notebook."""

from __future__ import annotations

import json

import pytest

from tests.nbbuild import notebook

from . import harness

pytestmark = pytest.mark.integration


def test_a_change_the_analysis_misses_fails_the_stage_instead_of_a_silent_difference(tmp_path):
    cells = [
        ("stage:a", "rows = [{'v': 1}, {'v': 3}]"),
        ("stage:b", "n = len(rows)"),
        ("stage:c", "print(rows, n)"),
    ]
    (tmp_path / "nb.ipynb").write_text(json.dumps(notebook(cells)), encoding="utf-8")
    harness.make_repo(tmp_path)
    harness.run([str(harness.BIN / "nb2pipe"), "convert", "nb.ipynb"], tmp_path)
    # Stand-in for a construct the analysis does not know: stage b now changes 'rows' in a way
    # its analysis did not see (the generated stage is edited after convert).
    stage_b = tmp_path / "pipelines" / "nb" / "b.ipynb"
    document = json.loads(stage_b.read_text(encoding="utf-8"))
    cell = next(c for c in document["cells"] if c["id"] == "c1")
    cell["source"] = ["n = len(rows)\n", "rows[0]['v'] = 100"]
    stage_b.write_text(json.dumps(document), encoding="utf-8")
    run = harness.run([str(harness.BIN / "nb2pipe"), "run"], tmp_path, check=False)
    out = run.stdout + run.stderr
    assert run.returncode == 1, out
    assert "stage 'b' changed 'rows'" in out and "which it loaded from stage 'a'" in out, out
    assert "first after the cell that starts with: 'n = len(rows)'" in out, out
    assert "'c' would read the unchanged 'rows'" in out, out


def test_a_stage_that_only_reads_what_it_loaded_runs_as_before(tmp_path):
    cells = [
        ("stage:a", "import pandas as pd\ndf = pd.DataFrame({'a': [1.0, 2.0]})\ndf['b'] = 2.0"),
        ("stage:b", "total = float(df.values.sum())\nprint(df.describe().shape)"),
        ("stage:c", "print(total, df.shape)"),
    ]
    (tmp_path / "nb.ipynb").write_text(json.dumps(notebook(cells)), encoding="utf-8")
    harness.make_repo(tmp_path)
    harness.run([str(harness.BIN / "nb2pipe"), "convert", "nb.ipynb"], tmp_path)
    stage_b = (tmp_path / "pipelines" / "nb" / "b.py").read_text(encoding="utf-8")
    assert "_nb2pipe_guard.watch(" in stage_b  # c reads df from a: b's df is watched
    harness.run([str(harness.BIN / "nb2pipe"), "run"], tmp_path)
