"""`dvc exp run -S` writes the experiment's value into params.yaml; a convert after it must not
quietly undo the experiment (real DVC, real kernels)."""

from __future__ import annotations

import json

import pytest

from jupyter_pipeline.export.yaml_text import load_safe
from tests.nbbuild import notebook

from . import harness

pytestmark = pytest.mark.integration

CELLS = [("parameters", "n_trees = 100"), ("stage:train", "trees = list(range(n_trees))"),
         ("stage:score", "score = len(trees)\nprint(score)")]


def test_a_convert_after_dvc_exp_run_keeps_the_experiments_value(tmp_path):
    (tmp_path / "nb.ipynb").write_text(json.dumps(notebook(CELLS)), encoding="utf-8")
    harness.make_repo(tmp_path)
    nb2pipe, dvc = str(harness.BIN / "nb2pipe"), str(harness.BIN / "dvc")
    harness.run([nb2pipe, "convert", "nb.ipynb"], tmp_path)
    harness.commit_all(tmp_path, "converted")
    harness.run([dvc, "exp", "run", "-S", "n_trees=300"], tmp_path)
    assert load_safe((tmp_path / "params.yaml").read_text())["n_trees"] == 300
    proc = harness.run([nb2pipe, "convert", "nb.ipynb"], tmp_path)
    assert "params.yaml keeps 'n_trees: 300'" in proc.stdout, proc.stdout
    assert load_safe((tmp_path / "params.yaml").read_text())["n_trees"] == 300
    status = harness.run([dvc, "status", "--json"], tmp_path)
    assert json.loads(status.stdout) == {}, f"the convert undid the experiment: {status.stdout}"
