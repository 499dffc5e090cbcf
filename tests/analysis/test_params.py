"""The parameters cell: typed values for params.yaml, listed by the stages that read them."""

from __future__ import annotations

import pytest

from .helpers import diagnostic, needs, run, stages

TYPED = {
    "int": ("i = 3", 3),
    "negative-int": ("i = -3", -3),
    "float": ("i = 0.5", 0.5),
    "float-exponent": ("i = 1e-3", 0.001),
    "str-with-spaces": ("i = 'two words'", "two words"),
    "bool": ("i = False", False),
    "none": ("i = None", None),
    "list": ("i = [1, 'a', 2.5]", [1, "a", 2.5]),
    "dict": ("i = {'k': [1], 'n': None}", {"k": [1], "n": None}),
    "annotated": ("i: int = 4", 4),
}


@pytest.mark.parametrize("source,value", TYPED.values(), ids=TYPED.keys())
def test_parameters_are_typed(source, value):
    a = run([("parameters", source), ("stage:a", "print(i)")])
    assert a.pipeline.param_values == {"i": value}
    assert type(a.pipeline.param_values["i"]) is type(value)
    assert a.pipeline.stage("a").params == ("i",)
    assert needs(a.pipeline.stage("a")) == {}


def test_each_stage_lists_only_the_parameters_it_reads():
    s = stages([("parameters", "alpha = 0.1\nepochs = 3\nname = 'run'"),
                ("stage:a", "print(alpha)"), ("stage:b", "print(epochs, name)"),
                ("stage:c", "print(1)")])
    assert s["a"].params == ("alpha",)
    assert s["b"].params == ("epochs", "name")
    assert s["c"].params == ()


def test_a_parameter_read_inside_a_called_function_is_listed_by_the_caller():
    s = stages([("parameters", "alpha = 0.1"), ("stage:a", "def f():\n    return alpha"),
                ("stage:b", "print(f())")])
    assert s["b"].params == ("alpha",)


def test_the_parameters_cells_computed_lines_are_values_of_its_stage():
    a = run([("parameters", "i = 3\ncomputed = i * 2"), ("stage:a", "print(i)"),
             ("stage:b", "print(computed)")])
    assert a.pipeline.param_values == {"i": 3}
    st = a.pipeline.stage
    assert st("a").params == ("i",), "the parameters cell's `computed = i * 2` reads i"
    assert needs(st("b")) == {"computed": "a"} and st("b").params == ()


def test_a_parameter_rebound_by_a_stage_is_a_value_from_then_on():
    s = stages([("parameters", "n = 3"), ("stage:a", "n = n + 1"), ("stage:b", "print(n)")])
    assert s["a"].params == ("n",)
    assert needs(s["b"]) == {"n": "a"} and s["b"].params == ()


def test_a_list_parameter_changed_in_place_is_handed_on():
    s = stages([("parameters", "layers = [8, 4]"), ("stage:a", "layers.append(2)"),
                ("stage:b", "print(layers)")])
    assert needs(s["b"]) == {"layers": "a"}


def test_a_notebook_without_a_parameters_cell_has_no_parameters():
    a = run([("stage:a", "alpha = 0.1"), ("stage:b", "print(alpha)")])
    assert a.pipeline.params == () and a.pipeline.parameters_cell is None
    assert needs(a.pipeline.stage("b")) == {"alpha": "a"}


def test_a_second_parameters_cell_is_an_error():
    a = run([("parameters", "a = 1"), ("stage:s", "x = 1"), ("parameters", "b = 2")])
    assert diagnostic(a, "second-parameters-cell").cell == 2
