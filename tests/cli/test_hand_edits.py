"""A convert after the user (or DVC's experiment commands) changed params.yaml or a generated
stage of dvc.yaml: the change is kept, or refused without --force; never silently replaced."""

from __future__ import annotations

from jupyter_pipeline.export.yaml_text import load_safe

from .helpers import assert_refused, nb2pipe, ok, write_nb

CELLS = [("parameters", "n_trees = 100\nseed = 0"), ("stage:train", "model = [seed] * n_trees"),
         ("stage:score", "score = len(model)")]


def _params(folder):
    return load_safe((folder / "params.yaml").read_text())


def test_a_parameter_set_in_params_yaml_is_kept_and_named(tmp_path):
    write_nb(tmp_path, CELLS)
    ok("convert", "nb.ipynb", cwd=tmp_path)
    params = tmp_path / "params.yaml"
    params.write_text(params.read_text().replace("n_trees: 100", "n_trees: 300"))
    proc = ok("convert", "nb.ipynb", cwd=tmp_path)
    assert _params(tmp_path) == {"n_trees": 300, "seed": 0}
    assert "params.yaml keeps 'n_trees: 300'" in proc.stdout, proc.stdout
    assert "the notebook says 100" in proc.stdout
    # Kept on every later convert, not only the first.
    assert "keeps 'n_trees: 300'" in ok("convert", "nb.ipynb", cwd=tmp_path).stdout
    ok("convert", "nb.ipynb", "--force", cwd=tmp_path)
    assert _params(tmp_path)["n_trees"] == 100


def test_a_parameter_changed_in_the_notebook_reaches_params_yaml(tmp_path):
    write_nb(tmp_path, CELLS)
    ok("convert", "nb.ipynb", cwd=tmp_path)
    write_nb(tmp_path, [("parameters", "n_trees = 200\nseed = 0"), *CELLS[1:]])
    proc = ok("convert", "nb.ipynb", cwd=tmp_path)
    assert _params(tmp_path)["n_trees"] == 200 and "keeps" not in proc.stdout


def test_a_metrics_section_added_to_a_generated_stage_is_refused_without_force(tmp_path):
    write_nb(tmp_path, CELLS)
    ok("convert", "nb.ipynb", cwd=tmp_path)
    dvc = tmp_path / "dvc.yaml"
    edited = dvc.read_text().replace("  score:\n", "  score:\n    metrics:\n    - scores.json\n")
    dvc.write_text(edited)
    proc = nb2pipe("convert", "nb.ipynb", cwd=tmp_path)
    assert_refused(proc, "stage 'score' has 'metrics' added by hand", "--force")
    assert dvc.read_text() == edited
    ok("convert", "nb.ipynb", "--force", cwd=tmp_path)
    assert "metrics" not in load_safe(dvc.read_text())["stages"]["score"]
