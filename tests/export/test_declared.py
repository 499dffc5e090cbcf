"""dvc.yaml declares metrics, plots and dvclive's folder as DVC reads them (the shape; the
integration test tests/integration/test_metrics_plots_dvc.py runs real DVC on it)."""

from __future__ import annotations

import json

import pytest
from dvc.schema import MULTI_STAGE_SCHEMA
from voluptuous import Schema

from jupyter_pipeline.analysis.analyze import CellCache, analyze
from jupyter_pipeline.export import plan
from jupyter_pipeline.export.layout import Layout
from jupyter_pipeline.export.yaml_text import load_safe
from jupyter_pipeline.model.notebook import Notebook
from jupyter_pipeline.model.tags import read_tags
from tests.nbbuild import notebook

WRITE_JSON = ("import json\nacc = 0.9\nwith open({path!r}, 'w') as f:\n"
              "    json.dump({{'acc': acc}}, f)")
WRITE_CSV = ("import pandas as pd\n"
             "pd.DataFrame({{'epoch': [0, 1], 'loss': [2, 1]}}).to_csv({path!r})")


def _analysis(cells):
    nb = Notebook.from_dict("nb.ipynb", json.loads(json.dumps(notebook(cells))))
    return nb, analyze(nb, cache=CellCache())


def _stages(cells) -> dict:
    nb, analysis = _analysis(cells)
    assert analysis.ok, [d.message for d in analysis.errors]
    files = plan.build(nb, analysis.pipeline, Layout("nb.ipynb"), None, None)
    dvc_yaml = load_safe(files.merged["dvc.yaml"])
    Schema(MULTI_STAGE_SCHEMA)(dvc_yaml)  # DVC's own schema: raises on what DVC rejects
    return {"files": files.files, **dvc_yaml["stages"]}


def test_a_metrics_cell_that_writes_its_metrics_file_gets_it_declared_and_no_second_copy():
    stages = _stages([(("stage:evaluate", "metrics"), WRITE_JSON.format(path="scores.json"))])
    evaluate = stages["evaluate"]
    assert evaluate["metrics"] == [{"scores.json": {"cache": False}}]
    assert "scores.json" not in evaluate["outs"]
    assert "save_metrics" not in stages["files"]["pipelines/nb/evaluate.py"]
    assert not any("metrics/evaluate.json" in json.dumps(v) for v in evaluate.values())


def test_a_metrics_cell_that_writes_no_file_still_gets_nb2pipes_file_of_its_values():
    stages = _stages([("stage:evaluate", "acc = 0.9"), ("metrics", "acc")])
    assert stages["evaluate"]["metrics"] == [
        {"pipelines/nb/metrics/evaluate.json": {"cache": False}}]
    assert "save_metrics" in stages["files"]["pipelines/nb/evaluate.py"]


def test_a_json_or_yaml_named_metrics_is_declared_whichever_cell_writes_it():
    stages = _stages([("stage:evaluate", WRITE_JSON.format(path="out/eval_metrics.json")),
                      (None, "with open('summary.yaml', 'w') as f:\n    f.write('a: 1')"),
                      (None, "with open('metrics.yml', 'w') as f:\n    f.write('b: 2')")])
    evaluate = stages["evaluate"]
    assert evaluate["metrics"] == [{"metrics.yml": {"cache": False}},
                                   {"out/eval_metrics.json": {"cache": False}}]
    assert "summary.yaml" in evaluate["outs"]  # neither tagged nor named: an ordinary out


def test_a_plots_tag_declares_the_cells_tables_with_their_x_y_and_template():
    stages = _stages([
        ("stage:train", WRITE_CSV.format(path="history.csv")),  # untagged: an ordinary out
        ("plots:x=epoch:y=loss:template=smooth", WRITE_CSV.format(path="curve.csv")),
        ("plots", WRITE_CSV.format(path="roc.tsv")),
        (None, "import matplotlib.pyplot as plt\nplt.savefig('fig.png')"),
    ])
    train = stages["train"]
    assert train["plots"] == [
        "fig.png",  # an image is a plot without any tag, cached as before
        {"curve.csv": {"x": "epoch", "y": "loss", "template": "smooth", "cache": False}},
        {"roc.tsv": {"cache": False}},  # DVC's defaults: the row number and the last column
    ]
    assert "history.csv" in train["outs"]
    assert not {"curve.csv", "roc.tsv", "fig.png"} & set(train["outs"])


@pytest.mark.parametrize("tag,says", [
    ("plots:x=epoch,y=loss", "a tag holds no commas, so separate x, y and template with ':'"),
    ("plots:x=", "empty or odd x ''"),
    ("plots:colour=red", "after 'plots:' come x=COLUMN, y=COLUMN and template=NAME"),
    ("plots:x=a:x=b", "gives x twice"),
    ("plots:template=pie", "template 'pie', which DVC does not have"),
])
def test_a_plots_tag_nb2pipe_cannot_read_is_an_error_naming_the_cell_and_the_tag(tag, says):
    _, analysis = _analysis([("stage:train", "x = 1"), (tag, WRITE_CSV.format(path="c.csv"))])
    [error] = analysis.errors
    assert (error.code, error.cell) == ("bad-tag", 1)
    assert f"'{tag}'" in error.message and says in error.message, error.message
    assert "for example 'plots:x=epoch:y=loss'" in error.message or "use one of" in error.message


def test_a_plots_tag_on_a_cell_that_writes_no_table_is_a_warning():
    _, analysis = _analysis([("stage:train", "x = 1"), ("plots:x=a:y=b", "y = x + 1")])
    assert analysis.ok
    [warning] = [d for d in analysis.diagnostics if d.code == "plots-without-table"]
    assert warning.cell == 1 and "writes no CSV, TSV, JSON or YAML file" in warning.message


def test_plots_tags_read_by_read_tags():
    role = read_tags(["stage:a", "plots:y=loss:x=epoch"])
    assert (role.plots.x, role.plots.y, role.plots.template) == ("epoch", "loss", None)
    assert read_tags(["plots"]).plots is not None and read_tags(["stage:a"]).plots is None


DVCLIVE = """\
from dvclive import Live
live = Live({args})
for i in range(3):
    live.log_metric("loss", 1 / (i + 1){plot})
    live.next_step()
live.end()"""


def test_dvclive_folder_is_declared_as_dvclive_lays_it_out():
    stages = _stages([("stage:train", DVCLIVE.format(args="'logs', dvcyaml=None", plot=""))])
    train = stages["train"]
    assert train["metrics"] == [{"logs/metrics.json": {"cache": False}}]
    assert train["plots"] == [{"logs/plots/metrics": {"x": "step", "cache": False}}]


def test_dvclive_default_folder_and_a_warning_that_it_would_write_dvc_yaml_itself():
    _, analysis = _analysis([("stage:train", "x = 1"),
                             (None, DVCLIVE.format(args="", plot=", plot=False"))])
    [train] = analysis.pipeline.stages
    assert train.metrics_files == ("dvclive/metrics.json",)
    assert train.plots == ()  # every log_metric says plot=False: no step plots are written
    [warning] = [d for d in analysis.diagnostics if d.code == "dvclive-writes-dvc-yaml"]
    assert (warning.cell, warning.line) == (1, 2)
    assert "pass dvcyaml=None" in warning.message


def test_a_live_folder_nb2pipe_cannot_read_is_a_warning_naming_the_line():
    source = "folder = make()\n" + DVCLIVE.format(args="dir=folder, dvcyaml=None", plot="")
    _, analysis = _analysis([("stage:train", source)])
    assert [d.line for d in analysis.diagnostics if d.code == "dvclive-folder-unknown"] == [3]
    assert analysis.pipeline.stages[0].metrics_files == ()


def test_a_live_of_another_library_is_not_dvclives():
    source = DVCLIVE.format(args="", plot="").replace("from dvclive", "from mylogger")
    _, analysis = _analysis([("stage:train", source)])
    assert analysis.pipeline.stages[0].metrics_files == () and not analysis.diagnostics


def test_a_metrics_cell_logging_to_another_library_keeps_nb2pipes_file_of_its_values():
    source = "import mlflow\nacc = 0.9\nmlflow.log_metric('acc', acc)"
    stages = _stages([(("stage:evaluate", "metrics"), source)])
    assert stages["evaluate"]["metrics"] == [
        {"pipelines/nb/metrics/evaluate.json": {"cache": False}}]


def test_a_metrics_cell_logging_to_dvclive_has_dvclives_summary_as_its_metrics():
    source = DVCLIVE.format(args="dvcyaml=None", plot="") + "\nacc = 0.9"
    stages = _stages([(("stage:evaluate", "metrics"), source)])
    assert stages["evaluate"]["metrics"] == [{"dvclive/metrics.json": {"cache": False}}]
