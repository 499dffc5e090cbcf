"""The exporter: deterministic, valid, readable files; existing files merged, not clobbered."""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest

from jupyter_pipeline.analysis.analyze import CellCache, analyze
from jupyter_pipeline.export import dvc_yaml, params_yaml, plan
from jupyter_pipeline.export.layout import Layout
from jupyter_pipeline.export.yaml_text import load_safe
from jupyter_pipeline.model.notebook import Notebook
from tests.nbbuild import notebook

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "expected"
UPDATE = os.environ.get("NB2PIPE_UPDATE_GOLDEN") == "1"

SMALL = [
    ("parameters", "# knobs\nalpha = 1e-3\nflag = False\nname = 'random forest'\n"
                   "cols = ['a', 'b']\nopts = {'depth': 3, 'none': None}\nderived = alpha * 2"),
    ("stage:load", "import pandas as pd\nraw = pd.read_csv('data/in.csv')"),
    (None, "# md: ## Clean"),
    (None, "def scale(col):\n    return col * factor\n\nfactor = 10\nraw.dropna(inplace=True)"),
    ("stage:train", "%matplotlib inline\nscaled = raw['a'].apply(scale)\ntotal = 0\n"
                    "for v in scaled:\n    total += v\nprint(name, flag, cols)"),
    (("stage:report", "metrics"), "score = total / alpha\nsummary = {'score': score}\n"
                                  "scaled.to_frame().to_csv('out/scaled.csv')"),
]


def _plan(cells=SMALL, existing_dvc=None, existing_params=None, wdir=".", out_from_wdir="."):
    nb = Notebook.from_dict("small.ipynb", json.loads(json.dumps(notebook(cells))))
    analysis = analyze(nb, cache=CellCache())
    assert analysis.ok, [d.message for d in analysis.errors]
    return analysis, plan.build(nb, analysis.pipeline, Layout("small.ipynb", wdir, out_from_wdir),
                                existing_dvc, existing_params)


def test_same_input_gives_byte_identical_files():
    _, first = _plan()
    _, second = _plan()
    assert first.all_files() == second.all_files()


def test_generated_files_match_the_golden_copies():
    _, p = _plan()
    for rel, text in sorted(p.all_files().items()):
        golden = GOLDEN / "small" / rel
        if UPDATE:
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_text(text, encoding="utf-8")
        assert golden.exists(), f"no golden copy of {rel}: run with NB2PIPE_UPDATE_GOLDEN=1"
        assert text == golden.read_text(encoding="utf-8"), f"{rel} differs from its golden copy"


def test_every_stage_notebook_is_valid_nbformat_and_keeps_cell_ids():
    _, p = _plan()
    notebooks = {k: v for k, v in p.files.items() if k.endswith(".ipynb")}
    assert len(notebooks) == 3
    for text in notebooks.values():
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
    train = nbformat.reads(p.files["pipelines/small/train.ipynb"], as_version=4)
    assert "c4" in [c.id for c in train.cells]


def test_stage_notebook_has_typed_parameters_then_loads_then_cells_then_saves():
    _, p = _plan()
    cells = nbformat.reads(p.files["pipelines/small/train.ipynb"], as_version=4).cells
    kinds = [c.id for c in cells]
    assert kinds[:3] == ["nb2pipe-header", "nb2pipe-parameters", "nb2pipe-load"]
    assert kinds[-1] == "nb2pipe-save"
    params = cells[1]
    assert params.metadata.tags == ["parameters"]
    assert "flag = False" in params.source and "name = 'random forest'" in params.source
    load = cells[2].source
    assert "def scale(col):" in load, "the helper is re-defined in the stage that calls it"
    assert '_nb2pipe.load("pipelines/small/data/load", "factor")' in load
    assert '_nb2pipe.load("pipelines/small/data/load", "raw")' in load


def test_parameters_cell_keeps_its_computed_lines_but_not_its_literals():
    _, p = _plan()
    load = nbformat.reads(p.files["pipelines/small/load.ipynb"], as_version=4)
    sources = [c.source for c in load.cells]
    assert "# knobs\nderived = alpha * 2" in sources
    assert not any("alpha = 1e-3" in s for s in sources)


def test_params_yaml_keeps_types_as_yaml_1_2():
    _, p = _plan()
    values = load_safe(p.merged["params.yaml"])
    assert values == {"alpha": 0.001, "flag": False, "name": "random forest", "cols": ["a", "b"],
                      "opts": {"depth": 3, "none": None}}
    assert type(values["alpha"]) is float and type(values["flag"]) is bool


def test_dvc_yaml_lists_commands_deps_params_outs_metrics_and_provenance():
    _, p = _plan()
    stages = load_safe(p.merged["dvc.yaml"])["stages"]
    assert list(stages) == ["load", "train", "report"]
    train = stages["train"]
    assert isinstance(train["cmd"], list) and len(train["cmd"]) == 1
    assert "pipelines/small/data/load" in train["deps"]
    assert set(train["params"]) == {"cols", "flag", "name"}
    assert stages["load"]["deps"][-1] == "data/in.csv"
    assert "out/scaled.csv" in stages["report"]["outs"]
    assert stages["report"]["metrics"] == [{"pipelines/small/metrics/report.json": {"cache": False}}]
    assert stages["report"]["meta"]["nb2pipe"]["cells"] == ["c5"]


def test_reconvert_replaces_only_this_notebooks_stages_byte_for_byte():
    _, first = _plan()
    handwritten = ("# my own stages\nstages:\n  fetch:\n    cmd: curl -o data/in.csv URL  # raw\n"
                   "    outs:\n    - data/in.csv\n")
    merged_once = dvc_yaml.merge(handwritten, *_nb_pipeline(), Layout("small.ipynb", "."))
    assert merged_once.startswith(handwritten)
    # A second convert of a changed notebook: the hand-written stage keeps its bytes.
    changed = SMALL[:-1]
    nb = Notebook.from_dict("small.ipynb", json.loads(json.dumps(notebook(changed))))
    a = analyze(nb, cache=CellCache())
    merged_twice = dvc_yaml.merge(merged_once, nb, a.pipeline, Layout("small.ipynb", "."))
    assert merged_twice.startswith(handwritten)
    assert "report:" not in merged_twice and "train:" in merged_twice


def test_reconvert_keeps_the_comment_above_a_handwritten_stage_that_follows_ours():
    nb, pipeline = _nb_pipeline()
    layout = Layout("small.ipynb", ".")
    ours = dvc_yaml.merge(None, nb, pipeline, layout)
    tail = ("\n  # publish the report: runs after the notebook's stages\n"
            "  publish:\n    cmd: cp out/scaled.csv /srv/www/\n"
            "    deps:\n    - out/scaled.csv\n")
    existing = ours + tail
    merged = dvc_yaml.merge(existing, nb, pipeline, layout)
    assert merged == existing
    # And after the notebook changes, the hand-written part still keeps its bytes.
    changed = Notebook.from_dict("small.ipynb", json.loads(json.dumps(notebook(SMALL[:-1]))))
    again = dvc_yaml.merge(existing, changed, analyze(changed, cache=CellCache()).pipeline, layout)
    assert again.endswith(tail) and "\n  report:" not in again


def test_a_stage_name_taken_by_another_pipeline_is_refused():
    from jupyter_pipeline.errors import PipelineFileError

    existing = "stages:\n  train:\n    cmd: python train.py\n"
    with pytest.raises(PipelineFileError, match="already has a stage 'train'"):
        dvc_yaml.merge(existing, *_nb_pipeline(), Layout("small.ipynb", "."))


def test_params_yaml_keeps_keys_the_notebook_does_not_own():
    _, pipeline = _nb_pipeline()
    # alpha: 5 is what the notebook said at the last convert; it now says 1e-3.
    merged = params_yaml.merge("# shared\nother: 1\nalpha: 5\n", pipeline, {"alpha": "5"})
    assert merged.text.startswith("# shared\nother: 1\nalpha: 0.001\n")
    assert merged.kept == ()


def test_params_yaml_keeps_a_value_set_outside_the_notebook_and_names_it():
    """`dvc exp run -S alpha=5`, `dvc exp apply` or a hand edit wrote alpha: 5 after the last
    convert (which recorded the notebook's 0.001): the next convert keeps the experiment."""
    _, pipeline = _nb_pipeline()
    merged = params_yaml.merge("alpha: 5\nflag: false\n", pipeline, params_yaml.recorded(pipeline))
    assert load_safe(merged.text)["alpha"] == 5
    assert [(k.name, k.value, k.notebook_value) for k in merged.kept] == [("alpha", 5, 0.001)]
    forced = params_yaml.merge("alpha: 5\n", pipeline, params_yaml.recorded(pipeline), force=True)
    assert load_safe(forced.text)["alpha"] == 0.001 and forced.kept == ()


def test_params_yaml_tells_true_from_1():
    """1 == True in Python; params.yaml's `flag: 1` is not the notebook's `flag = False` either
    way, and `flag: 0` set by hand is not the notebook's False."""
    _, pipeline = _nb_pipeline()
    merged = params_yaml.merge("flag: 0\n", pipeline, params_yaml.recorded(pipeline))
    assert [k.name for k in merged.kept] == ["flag"]


def test_a_generated_stage_edited_by_hand_is_refused_naming_stage_and_key():
    from jupyter_pipeline.errors import HandEditedStages

    nb, pipeline = _nb_pipeline()
    layout = Layout("small.ipynb", ".")
    ours = dvc_yaml.merge(None, nb, pipeline, layout)
    recorded = dvc_yaml.stage_entries(nb, pipeline, layout)
    assert dvc_yaml.merge(ours, nb, pipeline, layout, recorded=recorded) == ours
    edited = ours.replace("  train:\n", "  train:\n    metrics:\n      - scores.json\n", 1)
    with pytest.raises(HandEditedStages) as refused:
        dvc_yaml.merge(edited, nb, pipeline, layout, recorded=recorded)
    assert refused.value.edits == [("train", "metrics", "added")]
    assert "stage 'train' has 'metrics' added by hand" in str(refused.value)
    assert "--force" in str(refused.value)
    # Without a record (a manifest of an older nb2pipe) a key nb2pipe never writes still counts.
    with pytest.raises(HandEditedStages, match="'metrics' added"):
        dvc_yaml.merge(edited, nb, pipeline, layout)
    replaced = dvc_yaml.merge(edited, nb, pipeline, layout, recorded=recorded, force=True)
    assert replaced == ours


def test_output_folder_elsewhere_sets_wdir_and_relative_paths():
    _, p = _plan(wdir="../nb", out_from_wdir="../out")
    stages = load_safe(p.merged["dvc.yaml"])["stages"]
    assert stages["load"]["wdir"] == "../nb"
    assert stages["load"]["deps"][0] == "../out/pipelines/small/load.ipynb"
    assert stages["train"]["params"] == [{"../out/params.yaml": ["cols", "flag", "name"]}]
    assert "--params ../out/params.yaml" in stages["train"]["cmd"][0]


def _nb_pipeline():
    nb = Notebook.from_dict("small.ipynb", json.loads(json.dumps(notebook(SMALL))))
    return nb, analyze(nb, cache=CellCache()).pipeline


@pytest.mark.parametrize("wdir,out", [(".", "."), ("../nb", "../out")])
def test_dvc_yaml_is_accepted_by_dvcs_own_schema(wdir, out):
    from dvc.schema import MULTI_STAGE_SCHEMA
    from voluptuous import Schema

    _, p = _plan(wdir=wdir, out_from_wdir=out)
    Schema(MULTI_STAGE_SCHEMA)(load_safe(p.merged["dvc.yaml"]))  # raises on what DVC rejects
