"""The grid of `nb2pipe sweep -S`: values read as DVC reads them, names checked against
params.yaml with a message that says what exists (pure code, no DVC)."""

from __future__ import annotations

import pytest

from jupyter_pipeline.experiments.grid import (GridError, check_names, combinations, format_value,
                                               parse_axis, parse_grid)


def test_values_are_read_as_dvc_exp_run_reads_them():
    axis = parse_axis("lr=1e-3,0.01,10,true,null,hello world,'007'")
    assert axis.name == "lr"
    assert axis.values == (0.001, 0.01, 10, True, None, "hello world", "007")
    assert type(axis.values[0]) is float and type(axis.values[2]) is int


def test_commas_inside_brackets_and_quotes_do_not_split():
    assert parse_axis("layers=[1,2],[3]").values == ([1, 2], [3])
    assert parse_axis('name="a,b",c').values == ("a,b", "c")
    assert parse_axis("opt={a: 1, b: 2}").values == ({"a": 1, "b": 2},)


def test_range_and_choice_sweeps_as_in_dvc():
    assert parse_axis("n=range(10,40,10)").values == (10, 20, 30)
    assert parse_axis("kind=choice(rf,gb)").values == ("rf", "gb")
    with pytest.raises(GridError, match="glob"):
        parse_axis("kind=glob(*)")


def test_a_file_prefix_for_params_yaml_is_accepted_and_other_files_are_refused():
    assert parse_axis("params.yaml:lr=1").name == "lr"
    with pytest.raises(GridError, match="only parameters of params.yaml"):
        parse_axis("other.yaml:lr=1")


@pytest.mark.parametrize("text, message", [
    ("lr", "expected NAME=VALUE"),
    ("=1,2", "expected NAME=VALUE"),
    ("lr=1,,2", "cannot read the values"),
    ("lr=", "no value"),
    ("n=range(5,1)", "no value"),
    ("lr=1,2,1", "given twice"),
])
def test_malformed_options_name_the_option(text, message):
    with pytest.raises(GridError, match=message) as err:
        parse_axis(text)
    assert f"-S '{text}'" in str(err.value)


def test_a_parameter_swept_twice_is_refused():
    with pytest.raises(GridError, match="already swept"):
        parse_grid(["lr=1,2", "lr=3"])
    with pytest.raises(GridError, match="nothing to sweep"):
        parse_grid([])


def test_every_combination_with_the_last_option_varying_fastest():
    combos = combinations(parse_grid(["a=1,2", "b=x,y,z"]))
    assert [c.as_dict() for c in combos] == [
        {"a": 1, "b": "x"}, {"a": 1, "b": "y"}, {"a": 1, "b": "z"},
        {"a": 2, "b": "x"}, {"a": 2, "b": "y"}, {"a": 2, "b": "z"}]
    assert combos[0].label() == "a=1 b=x"


def test_labels_spell_values_as_they_would_be_typed_back():
    assert [format_value(v) for v in (True, None, 1e-3, "a b", "007", [1, "x"])] == [
        "true", "null", "0.001", "a b", "'007'", "[1, x]"]


PARAMS = {"n_estimators": 50, "tol": 0.001, "model": {"depth": 3, "kind": "rf"}}


def test_an_unknown_name_is_refused_with_a_suggestion_and_what_exists():
    with pytest.raises(GridError) as err:
        check_names(parse_grid(["n_estimator=1,2"]), PARAMS, {"n_estimators"})
    text = str(err.value)
    assert "params.yaml has no parameter 'n_estimator'" in text
    assert "Did you mean 'n_estimators'?" in text
    assert "n_estimators, tol, model, model.depth, model.kind" in text


def test_dotted_names_reach_into_nested_parameters():
    check_names(parse_grid(["model.depth=2,4"]), PARAMS, {"model.depth"})
    check_names(parse_grid(["model.depth=2,4"]), PARAMS, {"model"})


def test_a_parameter_no_stage_reads_is_refused():
    with pytest.raises(GridError, match="no stage of dvc.yaml reads 'tol'"):
        check_names(parse_grid(["tol=1,2"]), PARAMS, {"n_estimators"})
    check_names(parse_grid(["tol=1,2"]), PARAMS, None)  # a stage reads the whole file
