"""Metrics, plots and dvclive's folder as DVC itself shows them: a converted notebook, real
`dvc repro` and `dvc exp run`, then `dvc metrics show`, `dvc plots show`, `dvc exp show` and
`dvc plots diff` (real DVC, real kernels, real dvclive)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from jupyter_pipeline.export.yaml_text import load_safe
from tests.nbbuild import notebook

from . import harness

pytestmark = pytest.mark.integration

TRAIN = """\
import json
from dvclive import Live

scale = float(open("scale.txt").read())
live = Live("live", dvcyaml=None)
losses = []
for epoch in range(3):
    losses.append(round(scale / (epoch + 1) + lr, 6))
    live.log_metric("loss", losses[-1])
    live.next_step()
live.end()"""
CURVE = """\
with open("curve.csv", "w") as f:
    f.write("epoch,loss\\n")
    for epoch, loss in enumerate(losses):
        f.write(f"{epoch},{loss}\\n")"""
EVALUATE = """\
acc = round(0.5 + lr, 6) if losses else 0.0
with open("metrics.json", "w") as f:
    json.dump({"acc": acc}, f)"""
CELLS = [
    ("parameters", "lr = 0.1"),
    ("stage:train", TRAIN),
    ("plots:x=epoch:y=loss:template=linear", CURVE),
    (("stage:evaluate", "metrics"), EVALUATE),
    (("stage:report", "metrics"), "gap = round(1 - acc, 6)"),
]


def dvc(repo: Path, *args: str) -> str:
    return harness.run([str(harness.BIN / "dvc"), *args], repo).stdout


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    """Converted, run with `dvc repro`, committed, then one `dvc exp run -S lr=0.3`."""
    folder = tmp_path_factory.mktemp("declared")
    (folder / "nb.ipynb").write_text(json.dumps(notebook(CELLS)), encoding="utf-8")
    (folder / "scale.txt").write_text("1\n", encoding="utf-8")
    harness.make_repo(folder)
    harness.run([str(harness.BIN / "nb2pipe"), "convert", "nb.ipynb"], folder)
    harness.commit_all(folder, "converted")
    dvc(folder, "repro")
    harness.commit_all(folder, "first run")
    return folder


def test_the_metrics_file_a_metrics_cell_writes_is_dvcs_metric_with_no_second_copy(repo):
    shown = json.loads(dvc(repo, "metrics", "show", "--json"))[""]["data"]
    assert shown["metrics.json"]["data"] == {"acc": 0.6}
    assert not (repo / "pipelines/nb/metrics/evaluate.json").exists()
    # A metrics cell that writes no file: nb2pipe writes its values, declared the same way.
    assert shown["pipelines/nb/metrics/report.json"]["data"] == {"gap": 0.4}
    assert shown["live/metrics.json"]["data"]["loss"] == pytest.approx(0.433333)
    # `cache: false`: the metrics are git's files, committed with the run.
    assert "metrics.json" in harness.run(["git", "ls-files"], repo).stdout.split()


def test_a_table_a_plots_cell_writes_is_a_plot_with_its_x_y_and_template(repo):
    plots = json.loads(dvc(repo, "plots", "show", "--json"))
    assert not plots.get("errors"), plots["errors"]
    curve = plots["data"]["curve.csv"][0]["content"]
    assert [r["epoch"] for r in curve["data"]["values"]] == ["0", "1", "2"]
    assert _encoded(curve, "x") == "epoch" and _encoded(curve, "y") == "loss"
    assert "live/plots/metrics/loss.tsv" in plots["data"]  # dvclive's step plot, x = step
    assert _encoded(plots["data"]["live/plots/metrics/loss.tsv"][0]["content"], "x") == "step"


def test_the_run_leaves_dvc_yaml_and_the_pipeline_as_dvc_expects(repo):
    assert json.loads(dvc(repo, "status", "--json")) == {}
    # dvclive was told dvcyaml=None: it added nothing to dvc.yaml while the stage ran.
    assert harness.run(["git", "status", "--porcelain", "dvc.yaml"], repo).stdout == ""


def test_show_json_says_which_stages_cells_params_and_data_produced_each_metric(repo):
    shown = json.loads(harness.run([str(harness.BIN / "nb2pipe"), "show", "nb.ipynb", "--json"],
                                   repo).stdout)
    sources = {s["metrics"]: s for s in shown["provenance"]}
    assert set(sources) == {"metrics.json", "live/metrics.json",
                            "pipelines/nb/metrics/report.json"}
    acc = sources["metrics.json"]
    assert (acc["stage"], acc["stages"], acc["cell_ids"]) == (
        "evaluate", ["train", "evaluate"], ["c0", "c1", "c2", "c3"])
    locked = load_safe((repo / "dvc.lock").read_text())["stages"]
    assert acc["params"] == [{"name": "lr", "value": locked["evaluate"]["params"]["params.yaml"]
                              ["lr"], "recorded": True}]
    assert acc["data"] == [{"path": "scale.txt", "md5": hashlib.md5(b"1\n").hexdigest()}]
    assert sources["pipelines/nb/metrics/report.json"]["stages"] == ["train", "evaluate", "report"]


def test_experiments_show_the_metrics_and_plots_diff_compares_them(repo):
    dvc(repo, "exp", "run", "-S", "lr=0.3")
    rows = json.loads(dvc(repo, "exp", "show", "--json"))
    workspace = rows[0]["data"]
    metrics = {k: v["data"] for k, v in workspace["metrics"].items()}
    assert metrics["metrics.json"] == {"acc": 0.8}
    assert workspace["params"]["params.yaml"]["data"]["lr"] == 0.3
    experiments = [e for row in rows for e in (row.get("experiments") or [])]
    assert any(r["data"]["metrics"]["metrics.json"]["data"] == {"acc": 0.8}
               for e in experiments for r in e["revs"]), rows
    diff = json.loads(dvc(repo, "plots", "diff", "HEAD", "--json"))
    values = diff["data"]["curve.csv"][0]["content"]["data"]["values"]
    by_rev = {(v["rev"], v["epoch"]): v["loss"] for v in values}
    assert by_rev[("HEAD", "0")] == "1.1" and by_rev[("workspace", "0")] == "1.3", by_rev


def test_the_drop_pattern_convert_prints_leaves_params_metrics_and_data(repo):
    pattern = "(.*/)?pipelines/nb/"
    printed = harness.run([str(harness.BIN / "nb2pipe"), "convert", "nb.ipynb"], repo).stdout
    assert f'--drop "{pattern}"' in printed, printed
    every = dvc(repo, "exp", "show", "--csv").splitlines()[0].split(",")
    kept = dvc(repo, "exp", "show", "--csv", "--drop", pattern).splitlines()[0].split(",")
    assert [c for c in every if c.startswith("pipelines/nb/")], every  # the crowd DVC shows
    assert not [c for c in kept if "pipelines/" in c], kept
    assert {"lr", "acc", "gap", "loss"} <= set(kept), kept


def _encoded(content: dict, axis: str) -> str:
    """The field DVC's vega spec plots on `axis` (top level, or in its first layer)."""
    encoding = content.get("encoding", {}).get(axis)
    if encoding is None:
        for layer in content.get("layer", []):
            encoding = layer.get("encoding", {}).get(axis) or encoding
            for inner in layer.get("layer", []):
                encoding = inner.get("encoding", {}).get(axis) or encoding
    return encoding["field"]


def test_nb2pipe_run_records_the_declared_metrics_and_plots_as_dvc_does(tmp_path):
    (tmp_path / "nb.ipynb").write_text(json.dumps(notebook(CELLS)), encoding="utf-8")
    (tmp_path / "scale.txt").write_text("1\n", encoding="utf-8")
    harness.make_repo(tmp_path)
    nb2pipe = str(harness.BIN / "nb2pipe")
    harness.run([nb2pipe, "convert", "nb.ipynb"], tmp_path)
    harness.commit_all(tmp_path, "converted")
    harness.run([nb2pipe, "run"], tmp_path)
    # dvclive's plots are a folder declared `cache: false`: dvc.lock has it as DVC writes it.
    assert json.loads(dvc(tmp_path, "status", "--json")) == {}
    shown = json.loads(dvc(tmp_path, "metrics", "show", "--json"))[""]["data"]
    assert shown["metrics.json"]["data"] == {"acc": 0.6}
    ignored = (tmp_path / ".gitignore").read_text() if (tmp_path / ".gitignore").exists() else ""
    assert "metrics.json" not in ignored and "curve.csv" not in ignored  # git's, not DVC's
