"""The tag grammar (model/tags.py): nb2pipe's vocabulary and Kale's, read the same way."""

from __future__ import annotations

import pytest

from jupyter_pipeline.model.tags import CellRole, read_tags, suggest_name, with_stage_tag

ROLES = {
    "stage": (["stage:train"], CellRole(stage="train")),
    "kale-block": (["block:train"], CellRole(stage="train")),
    "kale-step": (["step:train"], CellRole(stage="train")),
    "after": (["stage:b", "after:a"], CellRole(stage="b", after=("a",))),
    "kale-prev": (["step:b", "prev:a", "prev:z"], CellRole(stage="b", after=("a", "z"))),
    "parameters": (["parameters"], CellRole(parameters=True)),
    "kale-pipeline-parameters": (["pipeline-parameters"], CellRole(parameters=True)),
    "metrics": (["metrics"], CellRole(metrics=True)),
    "kale-pipeline-metrics": (["pipeline-metrics"], CellRole(metrics=True)),
    "skip": (["skip"], CellRole(skip=True)),
    "kale-imports-is-plain-code": (["imports"], CellRole()),
    "kale-functions-is-plain-code": (["functions"], CellRole()),
    "unknown-tags-are-ignored": (["limit:nvidia.com/gpu:2", "hide-input"], CellRole()),
    "same-stage-twice": (["stage:a", "block:a"], CellRole(stage="a")),
    "digits-dash-underscore": (["stage:0_load-data"], CellRole(stage="0_load-data")),
    # Kale reads an empty `block:` as no tag: the cell continues the step before it
    "kale-empty-block-is-no-tag": (["block:"], CellRole()),
    "kale-empty-step-and-prev": (["step:", "prev:", "skip"], CellRole(skip=True)),
}


@pytest.mark.parametrize("tags,role", ROLES.values(), ids=ROLES.keys())
def test_tags_read_as_roles(tags, role):
    assert read_tags(tags) == role


@pytest.mark.parametrize("tag", ["stage:Train", "stage:", "stage:-x", "stage:a b", "after:A",
                                 "step:é"])
def test_invalid_stage_names_are_problems_not_crashes(tag):
    role = read_tags([tag])
    assert role.stage is None and role.after == ()
    assert len(role.problems) == 1 and role.problems[0].tag == tag


def test_a_cell_starting_two_stages_is_a_problem():
    role = read_tags(["stage:a", "step:b"])
    assert role.stage == "a" and "'a' and 'b'" in role.problems[0].message


@pytest.mark.parametrize("name,slug", [("Load data", "load-data"), ("  Plot!  ", "plot"),
                                       ("Train / Evaluate", "train-evaluate"), ("!!!", "stage"),
                                       ("Step_2", "step_2")])
def test_suggested_names_are_valid_slugs(name, slug):
    assert suggest_name(name) == slug


def test_rewriting_the_stage_tag_keeps_the_other_tags_in_place():
    assert with_stage_tag(["x", "block:old", "y"], "new") == ["x", "stage:new", "y"]
    assert with_stage_tag(["x"], "new") == ["x", "stage:new"]
    assert with_stage_tag(["stage:old", "x"], None) == ["x"]
