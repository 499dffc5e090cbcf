"""Names that are not what they seem: a name bound on some paths only (saved and loaded only
when bound), and IPython's own names (`display`, `In`, `Out`, `exit`, `quit`) that a notebook
may bind as ordinary variables."""

from __future__ import annotations

import pytest

from jupyter_pipeline.model.pipeline import saved_values

from .helpers import needs, run, stages

BRANCH = [("parameters", "mode = 'a'"),
          ("stage:a", "if mode == 'b':\n    extra = [1]\nbase = 1"),
          ("stage:b", "if mode == 'b':\n    print(extra)\nprint(base)")]


def test_a_name_bound_in_a_branch_is_handed_on_only_when_bound():
    s = stages(BRANCH)
    assert s["a"].hands_on == ("base", "extra") and s["a"].maybe_unbound == ("extra",)
    loads = {n.name: n.maybe_unbound for n in s["b"].needs}
    assert loads == {"base": False, "extra": True}


def test_a_name_bound_before_the_branch_is_bound_on_every_path():
    s = stages([("parameters", "mode = 'a'"),
                ("stage:a", "extra = []\nif mode == 'b':\n    extra = [1]"),
                ("stage:b", "print(extra)")])
    assert s["a"].maybe_unbound == () and not s["b"].needs[0].maybe_unbound


def test_a_later_branch_keeps_a_name_bound_on_some_paths_only():
    s = stages([("parameters", "mode = 'a'"),
                ("stage:a", "for i in range(0):\n    last = i"),
                ("stage:b", "if mode == 'b':\n    last = 2\nelse:\n    print(mode)"),
                ("stage:c", "print(last)")])
    assert s["b"].maybe_unbound == ("last",)
    assert [(n.name, n.producer, n.maybe_unbound) for n in s["c"].needs] == [("last", "b", True)]


def test_a_change_in_place_keeps_a_name_bound_on_some_paths_only():
    s = stages([("parameters", "mode = 'a'"),
                ("stage:a", "if mode == 'b':\n    seen = []"),
                ("stage:b", "if mode == 'b':\n    seen.append(1)"),
                ("stage:c", "print(seen)")])
    assert needs(s["c"]) == {"seen": "b"} and s["b"].maybe_unbound == ("seen",)


def test_the_saved_values_leave_out_a_name_not_bound():
    code = saved_values(["base", "extra"], ["extra"])
    namespace = {"base": 1}
    assert eval(code, namespace) == {"base": 1}
    namespace["extra"] = [2]
    assert eval(code, namespace) == {"base": 1, "extra": [2]}


@pytest.mark.parametrize("name", ["display", "In", "Out", "exit", "quit"])
def test_a_notebook_binding_an_ipython_name_hands_it_on_like_any_variable(name):
    s = stages([("stage:a", f"{name} = {{'rows': 3}}"), ("stage:b", f"print({name}['rows'])")])
    assert s["a"].hands_on == (name,) and needs(s["b"]) == {name: "a"}


def test_ipythons_own_display_is_no_variable():
    s = stages([("stage:a", "x = 1\ndisplay(x)"), ("stage:b", "display(x)\nOut")])
    assert needs(s["b"]) == {"x": "a"}
    assert run([("stage:a", "display(1)"), ("stage:b", "display = print")]).ok
