"""Real notebooks written by other people (../shared/corpus): the analysis finds the flows a
careful reader finds. End-to-end equivalence is tests/integration's job; these are the facts."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from jupyter_pipeline.analysis.analyze import Analysis, CellCache, analyze
from jupyter_pipeline.model.notebook import Notebook

from .helpers import needs

# NB2PIPE_CORPUS: the corpus kept elsewhere than beside the repository (a git worktree, say)
CORPUS = Path(os.environ.get("NB2PIPE_CORPUS")
              or Path(__file__).resolve().parents[2].parent / "shared" / "corpus")

NOTEBOOKS = {
    "elyra-run-notebook": ("a-notebook.ipynb", None),
    "kale-candies": ("candies_sharing.ipynb", None),
    "kale-params-metrics": ("pipeline_parameters_and_metrics.ipynb", None),
    "kale-titanic": ("titanic_dataset_ml.ipynb", None),
    "soorgeon-exploratory": ("nb.ipynb", 2),
}


def corpus(folder: str) -> Analysis:
    name, by_headings = NOTEBOOKS[folder]
    path = CORPUS / folder / name
    nb = Notebook.from_dict(str(path), json.loads(path.read_text(encoding="utf-8")))
    return analyze(nb, by_headings=by_headings, cache=CellCache())


@pytest.mark.parametrize("folder", NOTEBOOKS)
def test_corpus_notebooks_analyse_without_errors(folder):
    a = corpus(folder)
    assert a.ok, [d.render(folder) for d in a.errors]
    assert a.pipeline.stages


MODELS = {"randomforest": "acc_random_forest", "logisticregression": "acc_log",
          "naivebayes": "acc_gaussian", "svm": "acc_linear_svc",
          "decisiontree": "acc_decision_tree"}


def test_titanic_stages_in_notebook_order():
    a = corpus("kale-titanic")
    assert [s.name for s in a.pipeline.stages] == [
        "loaddata", "datapreprocessing", "featureengineering", *MODELS, "results"]


def test_titanic_reads_its_raw_data_by_literal_path():
    s = corpus("kale-titanic").pipeline.stage("loaddata")
    assert s.data_deps == ("data/test.csv", "data/train.csv") and s.needs == ()


@pytest.mark.parametrize("model", MODELS)
def test_titanic_models_fan_out_from_feature_engineering(model):
    # Fitting reads the training data: the five models do not chain through each other.
    s = corpus("kale-titanic").pipeline.stage(model)
    assert needs(s) == {"train_df": "featureengineering", "train_labels": "featureengineering"}
    assert s.hands_on == (MODELS[model],)


def test_titanic_feature_engineering_gets_the_preprocessed_frames():
    s = corpus("kale-titanic").pipeline.stage("featureengineering")
    assert needs(s)["train_df"] == "datapreprocessing"
    assert needs(s)["test_df"] == "datapreprocessing"
    assert set(s.hands_on) == {"train_df", "train_labels"}


def test_titanic_results_need_the_five_accuracies():
    s = corpus("kale-titanic").pipeline.stage("results")
    assert needs(s) == {acc: model for model, acc in MODELS.items()}


def test_params_metrics_parameters_and_metrics():
    a = corpus("kale-params-metrics")
    assert a.pipeline.param_values == {"d1": 5, "d2": 6, "booltest": True, "strtest": "test"}
    create, total = a.pipeline.stages
    assert create.name == "create_matrix" and create.params == ("d1", "d2")
    assert create.hands_on == ("rnd_matrix",)
    assert total.name == "sum_matrix"
    assert needs(total) == {"rnd_matrix": "create_matrix"}
    assert total.params == ("d1", "d2")
    assert total.metrics == ("d1", "d2", "sum_result")


def test_candies_kids_reuse_the_function_and_each_others_handfuls():
    a = corpus("kale-candies")
    st = {s.name: s for s in a.pipeline.stages}
    assert list(st) == ["sack", "kid1", "kid2", "kid3"]
    assert a.pipeline.param_values == {"CANDIES": 20}
    for kid in ("kid1", "kid2", "kid3"):
        assert [d.name for d in st[kid].definitions] == ["get_handful"]
        assert st[kid].imports == ("import random",), "get_handful uses random"
        assert st[kid].params == ("CANDIES",)
    assert needs(st["kid2"]) == {"kid1": "kid1"}
    assert needs(st["kid3"]) == {"kid1": "kid1", "kid2": "kid2"}
    assert st["kid3"].after == ("kid2", "kid1")


def test_elyra_parameters_are_typed_and_a_string_parameter_names_the_data():
    a = corpus("elyra-run-notebook")
    assert a.pipeline.param_values == {"data_url": "data/data-2.csv", "multiplier": 1,
                                       "INPUT_DATA_PATH": None, "OUTPUT_DATA_PATH": None}
    (main,) = a.pipeline.stages
    assert main.data_deps == ("data/data-2.csv",)
    assert set(main.params) == {"data_url", "multiplier", "INPUT_DATA_PATH", "OUTPUT_DATA_PATH"}


def test_soorgeon_sections_become_stages_and_the_filtered_frame_flows_on():
    a = corpus("soorgeon-exploratory")
    st = {s.name: s for s in a.pipeline.stages}
    assert list(st) == ["load", "clean", "plot"]
    assert st["load"].hands_on == ("df",)
    assert needs(st["clean"]) == {"df": "load"}
    assert st["clean"].hands_on == ("df",), "`df = df[...]` rebinds it"
    assert needs(st["plot"]) == {"df": "clean"}
    assert st["plot"].imports == ("import seaborn as sns",)
