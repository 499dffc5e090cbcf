"""ANALYSIS.md, row by row: what binds, what reads, what may mutate. One behaviour per test."""

from __future__ import annotations

import pytest

from .helpers import needs, stages

BINDS = {
    "assign": "x = 1",
    "star-unpack": "a, *x = [1, 2, 3]",
    "annotated": "x: int = 5",
    "with-as": "import io\nwith io.StringIO('s') as x:\n    pass",
    "for-target-survives": "for x in range(3):\n    pass",
    "match-capture": "match [1]:\n    case [x]:\n        pass",
    "import-as": "import json as x",
    "def": "def x():\n    return 1",
    "class": "class x:\n    pass",
    "walrus": "(x := 3)",
    "walrus-in-comprehension": "[(x := i) for i in range(3)]",
}


@pytest.mark.parametrize("source", BINDS.values(), ids=BINDS.keys())
def test_binding_forms_make_the_later_stage_see_the_name(source):
    s = stages([("stage:a", source), ("stage:b", "print(x)")])
    b = s["b"]
    visible = needs(b).get("x") == "a" or any(
        "x" in i for i in b.imports) or any(d.name == "x" for d in b.definitions)
    assert visible, (b.needs, b.imports, b.definitions)


def test_augmented_assignment_reads_and_binds():
    s = stages([("stage:a", "x = 1"), ("stage:b", "x += 1"), ("stage:c", "print(x)")])
    assert needs(s["b"]) == {"x": "a"}
    assert needs(s["c"]) == {"x": "b"}


MUTATIONS = {
    "dropna-inplace": "df.dropna(inplace=True)",
    "append": "df.append(4)",
    "update": "df.update({'k': 1})",
    "setitem": "df['k'] = 1",
    "loc-setitem": "df.loc[0, 'k'] = 1",
    "setattr": "df.attr = 1",
    "del-item": "del df['k']",
    "user-function-mutating-param": "def f(d):\n    d['k'] = 1\nf(df)",
}


@pytest.mark.parametrize("source", MUTATIONS.values(), ids=MUTATIONS.keys())
def test_in_place_changes_make_the_stage_hand_the_value_on(source):
    s = stages([("stage:a", "df = {'k': 0}"), ("stage:b", source), ("stage:c", "print(df)")])
    assert needs(s["b"])["df"] == "a"
    assert needs(s["c"]) == {"df": "b"}, "c must see b's changed df, not a's"


def test_a_user_function_that_only_reads_its_parameter_is_not_a_mutation():
    s = stages([("stage:a", "df = {'k': 0}\ndef f(d):\n    return d['k']"),
                ("stage:b", "v = f(df)"), ("stage:c", "print(df, v)")])
    assert needs(s["c"])["df"] == "a"


def test_read_only_methods_and_library_calls_do_not_mutate():
    s = stages([("stage:a", "import numpy as np\narr = [1, 2]"),
                ("stage:b", "m = np.mean(arr)\nh = arr.count(1)"),
                ("stage:c", "print(arr)")])
    assert needs(s["c"]) == {"arr": "a"}


def test_the_nearest_earlier_writer_wins():
    s = stages([("stage:a", "x = [1]"), ("stage:b", "y = len(x)"), ("stage:c", "print(x)")])
    assert needs(s["c"]) == {"x": "a"}
    s = stages([("stage:a", "x = [1]"), ("stage:b", "x.append(2)"), ("stage:c", "print(x)")])
    assert needs(s["c"]) == {"x": "b"}


def test_comprehension_generator_and_lambda_variables_stay_local():
    s = stages([("stage:a", "i = 10\nk = 2"),
                ("stage:b", "sq = [i * i for i in range(3)]\ng = sum(j for j in range(k))\n"
                            "f = lambda q: q + 1")])
    assert "i" not in needs(s["b"]) and "j" not in needs(s["b"]) and "q" not in needs(s["b"])
    assert needs(s["b"]) == {"k": "a"}


def test_names_bound_in_any_branch_count_as_bound_and_keep_the_old_value_needed():
    s = stages([("stage:a", "x = 0\nflag = True"),
                ("stage:b", "if flag:\n    x = 1"), ("stage:c", "print(x)")])
    assert needs(s["b"]) == {"flag": "a", "x": "a"}, "if the branch does not run, a's x survives"
    assert needs(s["c"]) == {"x": "b"}


def test_try_and_while_bindings_count():
    s = stages([("stage:a", "try:\n    y = 1\nexcept ValueError:\n    y = 2\nn = 0\n"
                            "while n < 3:\n    n += 1\n    z = n"),
                ("stage:b", "print(y, z)")])
    assert needs(s["b"]) == {"y": "a", "z": "a"}


def test_except_as_name_is_local_to_its_handler():
    s = stages([("stage:a", "e = 'outer'"),
                ("stage:b", "try:\n    1 / 0\nexcept ZeroDivisionError as e:\n    print(e)")])
    assert "e" not in needs(s["b"])


def test_del_unbinds_and_a_later_read_is_an_error():
    from .helpers import codes, run

    a = run([("stage:a", "x = 1"), ("stage:b", "del x"), ("stage:c", "print(x)")])
    assert "read-after-del" in codes(a)
    d = next(d for d in a.diagnostics if d.code == "read-after-del")
    assert d.cell == 2 and d.line == 1


def test_ipython_runtime_names_are_never_handed_over():
    s = stages([("stage:a", "1 + 1\n_ = 5"), ("stage:b", "print(_, _1, In, Out, get_ipython)")])
    assert needs(s["b"]) == {}
    assert s["a"].hands_on == ()


def test_aliases_carry_mutation_to_the_names_they_share():
    s = stages([("stage:a", "train = {'a': 1}\ntest = {'a': 2}"),
                ("stage:b", "data = [train, test]\nfor d in data:\n    d['x'] = 1"),
                ("stage:c", "print(train, test)")])
    assert needs(s["c"]) == {"train": "b", "test": "b"}


def test_constants_are_never_changed_in_place():
    s = stages([("stage:a", "n = 3\nrng = object()"),
                ("stage:b", "v = rng.draw(size=n)"), ("stage:c", "print(n)")])
    assert needs(s["c"]) == {"n": "a"}
