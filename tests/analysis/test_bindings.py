"""ANALYSIS.md, rows on values: what binds, what reads, what may change in place, and which
stage's version a later stage receives. One behaviour per test."""

from __future__ import annotations

import pytest

from .helpers import codes, defs, diagnostic, needs, run, stages

# -- plain binds -------------------------------------------------------------------------------

VALUE_BINDS = {
    "assign": "x = 1",
    "chained-assign": "x = y = 1",
    "tuple-unpack": "w, x = 1, 2",
    "nested-unpack": "(w, (x, z)) = (1, (2, 3))",
    "star-unpack": "a, *x = [1, 2, 3]",
    "list-target": "[w, x] = [1, 2]",
    "annotated": "x: int = 5",
    "with-as": "import contextlib\nwith contextlib.nullcontext(5) as x:\n    pass",
    "for-target-survives-the-loop": "for x in range(3):\n    pass",
    "while-body": "n = 0\nwhile n < 1:\n    n += 1\n    x = n",
    "match-capture": "match [1, 2]:\n    case [x, _]:\n        pass",
    "match-star-capture": "match [1, 2]:\n    case [_, *x]:\n        pass",
    "match-as": "match 3:\n    case int() as x:\n        pass",
    "match-mapping-rest": "match {'k': 1}:\n    case {**x}:\n        pass",
    "walrus": "(x := 3)",
    "walrus-in-comprehension": "[(x := i) for i in range(3)]",
    "walrus-in-if-test": "if (x := 3) > 1:\n    pass",
}


@pytest.mark.parametrize("source", VALUE_BINDS.values(), ids=VALUE_BINDS.keys())
def test_binding_forms_hand_the_value_to_a_later_reader(source):
    s = stages([("stage:a", source), ("stage:b", "print(x)")])
    assert needs(s["b"]) == {"x": "a"}
    assert "x" in s["a"].hands_on


def test_annotation_without_value_binds_nothing():
    a = run([("stage:a", "x = 1"), ("stage:b", "x: int"), ("stage:c", "print(x)")])
    assert needs(a.pipeline.stage("c")) == {"x": "a"}


def test_import_as_binds_a_module_that_is_re_imported_not_handed_over():
    s = stages([("stage:a", "import json as x"), ("stage:b", "print(x.dumps(1))")])
    assert s["b"].imports == ("import json as x",)
    assert needs(s["b"]) == {} and s["a"].hands_on == ()


def test_def_binds_a_function_that_is_re_defined_not_handed_over():
    s = stages([("stage:a", "def x():\n    return 1"), ("stage:b", "print(x())")])
    assert defs(s["b"]) == ["x"] and needs(s["b"]) == {} and s["a"].hands_on == ()


def test_class_binds_a_class_that_is_re_defined_not_handed_over():
    s = stages([("stage:a", "class x:\n    pass"), ("stage:b", "print(x())")])
    assert defs(s["b"]) == ["x"] and needs(s["b"]) == {} and s["a"].hands_on == ()


def test_rebinding_in_a_middle_stage_makes_it_the_producer():
    s = stages([("stage:a", "x = 1"), ("stage:b", "x = 2"), ("stage:c", "print(x)")])
    assert needs(s["b"]) == {}, "b does not read a's x"
    assert needs(s["c"]) == {"x": "b"}
    assert s["a"].hands_on == ()


# -- augmented assignment ----------------------------------------------------------------------

@pytest.mark.parametrize("op", ["+=", "-=", "*=", "//=", "|=", "**="])
def test_augmented_assignment_reads_and_binds(op):
    s = stages([("stage:a", "x = 1"), ("stage:b", f"x {op} 1"), ("stage:c", "print(x)")])
    assert needs(s["b"]) == {"x": "a"}, "b reads a's x"
    assert needs(s["c"]) == {"x": "b"}, "and c gets b's new x"
    assert s["b"].hands_on == ("x",)


@pytest.mark.parametrize("source", ["x.n += 1", "x['n'] += 1"], ids=["attribute", "item"])
def test_augmented_assignment_into_an_object_changes_it(source):
    s = stages([("stage:a", "x = {'n': 0}"), ("stage:b", source), ("stage:c", "print(x)")])
    assert needs(s["b"]) == {"x": "a"} and needs(s["c"]) == {"x": "b"}


# -- in-place changes --------------------------------------------------------------------------

MUTATIONS = {
    "dropna-inplace": ("import pandas as pd\nv = pd.DataFrame({'k': [1, None]})",
                       "v.dropna(inplace=True)"),
    "column-fillna-inplace": ("import pandas as pd\nv = pd.DataFrame({'k': [1, None]})",
                              "v['k'].fillna(0, inplace=True)"),
    "list-append": ("v = []", "v.append(4)"),
    "list-sort": ("v = [2, 1]", "v.sort()"),
    "dict-update": ("v = {}", "v.update({'k': 1})"),
    "setitem": ("v = {}", "v['k'] = 1"),
    "loc-setitem": ("import pandas as pd\nv = pd.DataFrame({'k': [1]})", "v.loc[0, 'k'] = 2"),
    "setattr": ("import types\nv = types.SimpleNamespace()", "v.attr = 1"),
    "nested-setattr": ("import types\nv = types.SimpleNamespace(a=types.SimpleNamespace())",
                       "v.a.b = 1"),
    "del-item": ("v = {'k': 0}", "del v['k']"),
    "del-attribute": ("import types\nv = types.SimpleNamespace(k=1)", "del v.k"),
    "user-function-mutating-its-parameter": ("v = {}", "def f(d):\n    d['k'] = 1\nf(v)"),
    "user-function-mutating-by-keyword": ("v = {}", "def f(d):\n    d['k'] = 1\nf(d=v)"),
    "library-function-mutating": ("import random\nv = [1, 2, 3]", "random.shuffle(v)"),
    "next-advances-an-iterator": ("v = iter([1, 2])", "first = next(v)"),
    "unknown-method-on-the-value": ("import collections\nv = collections.Counter()",
                                    "v.subtract({'a': 1})"),
    "estimator-fit": ("from sklearn.linear_model import LinearRegression\n"
                      "v = LinearRegression()", "v.fit([[0], [1]], [0, 1])"),
}


@pytest.mark.parametrize("setup,change", MUTATIONS.values(), ids=MUTATIONS.keys())
def test_in_place_changes_make_the_stage_hand_the_value_on(setup, change):
    s = stages([("stage:a", setup), ("stage:b", change), ("stage:c", "print(v)")])
    assert needs(s["b"])["v"] == "a", "b changes a's v, so it loads it"
    assert needs(s["c"]) == {"v": "b"}, "c must see b's changed v, not a's"
    assert "v" in s["b"].hands_on


NOT_MUTATIONS = {
    "dropna-returning-a-copy": ("import pandas as pd\nv = pd.DataFrame({'k': [1]})",
                                "w = v.dropna()"),
    "inplace-false": ("import pandas as pd\nv = pd.DataFrame({'k': [1]})",
                      "w = v.dropna(inplace=False)"),
    "user-function-only-reading": ("v = {'k': 0}", "def f(d):\n    return d['k']\nw = f(v)"),
    "builtin": ("v = [1, 2]", "w = len(v) + sum(v) + max(sorted(v))"),
    "library-function": ("import numpy as np\nv = [1, 2]", "w = np.mean(v)"),
    "read-only-method": ("v = [1, 2]", "w = v.count(1)"),
    "argument-to-an-estimator": ("from sklearn.linear_model import LinearRegression\n"
                                 "m = LinearRegression()\nv = [[0], [1]]", "m.fit(v, [0, 1])"),
    "print": ("v = [1]", "print(v)"),
}


@pytest.mark.parametrize("setup,use", NOT_MUTATIONS.values(), ids=NOT_MUTATIONS.keys())
def test_reading_without_changing_leaves_the_earlier_producer(setup, use):
    s = stages([("stage:a", setup), ("stage:b", use), ("stage:c", "print(v)")])
    assert needs(s["c"]) == {"v": "a"}
    assert "v" not in s["b"].hands_on


def test_a_constant_is_never_changed_in_place():
    s = stages([("stage:a", "n = 3\nrng = object()"),
                ("stage:b", "v = rng.draw(size=n)"), ("stage:c", "print(n)")])
    assert needs(s["c"]) == {"n": "a"}


# -- nearest earlier writer --------------------------------------------------------------------

def test_a_stage_that_changes_the_value_is_the_nearest_writer():
    s = stages([("stage:a", "x = [1]"), ("stage:b", "x.append(2)"), ("stage:c", "print(x)")])
    assert needs(s["b"]) == {"x": "a"}
    assert needs(s["c"]) == {"x": "b"}
    assert s["a"].hands_on == ("x",) and s["b"].hands_on == ("x",)


def test_a_stage_that_only_reads_is_not_a_writer():
    s = stages([("stage:a", "x = [1]"), ("stage:b", "y = len(x)"), ("stage:c", "print(x)")])
    assert needs(s["b"]) == {"x": "a"}
    assert needs(s["c"]) == {"x": "a"}
    assert s["b"].hands_on == ()


def test_each_reader_gets_the_version_live_at_its_position():
    s = stages([("stage:a", "x = [1]"), ("stage:b", "print(x)"), ("stage:c", "x.append(2)"),
                ("stage:d", "print(x)")])
    assert needs(s["b"]) == {"x": "a"}, "not c's later version"
    assert needs(s["d"]) == {"x": "c"}


def test_stages_that_only_read_fan_out_from_the_producer():
    s = stages([("stage:a", "x = [1]"), ("stage:b", "p = len(x)"), ("stage:c", "q = sum(x)"),
                ("stage:d", "print(p, q)")])
    assert needs(s["b"]) == {"x": "a"} and needs(s["c"]) == {"x": "a"}
    assert needs(s["d"]) == {"p": "b", "q": "c"}


# -- del ---------------------------------------------------------------------------------------

def test_reading_a_deleted_name_is_an_error_at_the_read():
    a = run([("stage:a", "x = 1"), ("stage:b", "del x"), ("stage:c", "print(x)")])
    d = diagnostic(a, "read-after-del")
    assert d.is_error and d.cell == 2 and d.line == 1
    assert "'x'" in d.message and "stage 'b'" in d.message


def test_del_needs_the_value_it_deletes():
    # `del x` on a name the stage does not have raises NameError.
    s = stages([("stage:a", "x = [1]"), ("stage:b", "del x")])
    assert needs(s["b"]) == {"x": "a"}


def test_a_name_bound_again_after_del_is_fine():
    s = stages([("stage:a", "x = 1"), ("stage:b", "del x\nx = 2"), ("stage:c", "print(x)")])
    assert needs(s["c"]) == {"x": "b"}


def test_del_in_the_same_stage_then_read_is_an_error():
    a = run([("stage:a", "x = 1\ndel x\nprint(x)")])
    assert "read-after-del" in codes(a)


# -- local scopes ------------------------------------------------------------------------------

LOCALS = {
    "list-comprehension": "r = [i * 2 for i in range(3)]",
    "set-comprehension": "r = {i for i in range(3)}",
    "dict-comprehension": "r = {i: j for i, j in [(1, 2)]}",
    "nested-comprehension": "r = [i + j for i in range(2) for j in range(2)]",
    "generator": "r = sum(i for i in range(3))",
    "lambda-parameter": "r = (lambda i: i + 1)(2)",
    "lambda-default-parameter": "r = (lambda i=1: i)()",
}


@pytest.mark.parametrize("source", LOCALS.values(), ids=LOCALS.keys())
def test_comprehension_generator_and_lambda_variables_stay_local(source):
    s = stages([("stage:a", "i = 10\nj = 20"), ("stage:b", source), ("stage:c", "print(i, j)")])
    assert needs(s["b"]) == {}, "b's i/j are its own locals"
    assert needs(s["c"]) == {"i": "a", "j": "a"}, "and do not replace a's i/j"


def test_a_comprehension_still_reads_the_outside_names_it_uses():
    s = stages([("stage:a", "k = 2\ndata = [1, 2]"),
                ("stage:b", "r = [v * k for v in data if v > k]")])
    assert needs(s["b"]) == {"data": "a", "k": "a"}


def test_walrus_in_a_comprehension_that_may_not_run_keeps_the_old_value_needed():
    s = stages([("stage:a", "x = 0\nitems = []"), ("stage:b", "[(x := i) for i in items]"),
                ("stage:c", "print(x)")])
    assert needs(s["b"]) == {"items": "a", "x": "a"}
    assert needs(s["c"]) == {"x": "b"}


def test_walrus_after_a_short_circuit_may_not_run():
    s = stages([("stage:a", "x = 0\nok = False"), ("stage:b", "ok and (x := 5)"),
                ("stage:c", "print(x)")])
    assert needs(s["b"]) == {"ok": "a", "x": "a"}
    assert needs(s["c"]) == {"x": "b"}


# -- branches ----------------------------------------------------------------------------------

BRANCHES = {
    "if": "if flag:\n    x = 1",
    "if-else": "if flag:\n    x = 1\nelse:\n    pass",
    "elif": "if not flag:\n    pass\nelif flag:\n    x = 1",
    "try": "try:\n    x = 1 / int(flag)\nexcept ZeroDivisionError:\n    pass",
    "except-handler": "try:\n    int(flag)\nexcept ValueError:\n    x = 1",
    "while": "while flag:\n    x = 1\n    break",
    "for-body": "for _i in range(int(flag)):\n    x = 1",
    "match-case": "match flag:\n    case True:\n        x = 1",
}


@pytest.mark.parametrize("source", BRANCHES.values(), ids=BRANCHES.keys())
def test_a_stage_that_only_maybe_binds_hands_on_and_needs_the_old_value(source):
    s = stages([("stage:a", "x = 0\nflag = True"), ("stage:b", source),
                ("stage:c", "print(x)")])
    assert needs(s["b"]) == {"flag": "a", "x": "a"}, "if the branch does not run, a's x survives"
    assert needs(s["c"]) == {"x": "b"}


def test_a_name_bound_in_every_branch_counts_as_bound():
    s = stages([("stage:a", "flag = True"),
                ("stage:b", "if flag:\n    y = 1\nelse:\n    y = 2"), ("stage:c", "print(y)")])
    assert needs(s["c"]) == {"y": "b"}


def test_except_as_name_is_local_to_its_handler():
    s = stages([("stage:a", "e = 'outer'"),
                ("stage:b", "try:\n    1 / 0\nexcept ZeroDivisionError as e:\n    print(e)"),
                ("stage:c", "print(e)")])
    assert needs(s["b"]) == {}
    assert needs(s["c"]) == {"e": "a"}


def test_with_body_bindings_are_definite():
    s = stages([("stage:a", "x = 0"),
                ("stage:b", "import contextlib\nwith contextlib.nullcontext():\n    x = 1"),
                ("stage:c", "print(x)")])
    assert needs(s["b"]) == {}
    assert needs(s["c"]) == {"x": "b"}


# -- IPython's names ---------------------------------------------------------------------------

# (a notebook's own `In`, `Out`, `display`... are ordinary variables: test_names.py)
@pytest.mark.parametrize("name", ["_i3", "get_ipython", "_oh"])
def test_ipython_runtime_names_are_never_handed_over(name):
    s = stages([("stage:a", f"{name} = 5" if name != "get_ipython" else "x = 1"),
                ("stage:b", f"print({name})")])
    assert needs(s["b"]) == {}
    assert name not in s["a"].hands_on


def test_a_users_own_underscore_name_is_an_ordinary_value():
    # ANALYSIS.md lists "`_`-prefixed names" with IPython's; only IPython's own (`_`, `_1`,
    # `_i`...) are excluded, because a user's `_tmp` handed over by nobody would be a NameError.
    s = stages([("stage:a", "_tmp = [1]"), ("stage:b", "print(_tmp)")])
    assert needs(s["b"]) == {"_tmp": "a"}


# -- aliasing ----------------------------------------------------------------------------------

def test_changes_through_an_alias_hand_on_the_names_it_shares():
    s = stages([("stage:a", "train = {'a': 1}\ntest = {'a': 2}"),
                ("stage:b", "data = [train, test]\nfor d in data:\n    d['x'] = 1"),
                ("stage:c", "print(train, test)")])
    assert needs(s["c"]) == {"train": "b", "test": "b"}
    assert set(s["b"].hands_on) == {"train", "test"}


def test_changes_through_an_alias_made_in_an_earlier_stage():
    s = stages([("stage:a", "train = {'a': 1}\ntest = {'a': 2}\ndata = [train, test]"),
                ("stage:b", "for d in data:\n    d['x'] = 1"), ("stage:c", "print(train, test)")])
    assert needs(s["c"]) == {"train": "b", "test": "b"}


def test_an_alias_and_its_roots_are_loaded_from_one_stage():
    # a -> b makes the alias -> c changes through it -> d reads the root. If c loaded `data`
    # from b and `train` from a, they would be separate copies and d would miss the change.
    s = stages([("stage:a", "train = {'a': 1}"), ("stage:b", "data = [train]"),
                ("stage:c", "for d in data:\n    d['x'] = 1"), ("stage:d", "print(train)")])
    assert needs(s["c"]) == {"data": "b", "train": "b"}
    assert needs(s["d"]) == {"train": "c"}


def test_a_plain_alias_shares_its_changes():
    s = stages([("stage:a", "a = [1]\nb = a"), ("stage:b", "b.append(2)"), ("stage:c", "print(a)")])
    assert needs(s["b"]) == {"a": "a", "b": "a"}
    assert needs(s["c"]) == {"a": "b"}


def test_a_value_stored_into_a_container_shares_its_changes():
    s = stages([("stage:a", "row = {'k': 1}\ntable = []"), ("stage:b", "table.append(row)"),
                ("stage:c", "table[0]['k'] = 2"), ("stage:d", "print(row)")])
    assert needs(s["d"]) == {"row": "c"}


LOOPS_OVER_ELEMENTS = {
    "dict-items": "for name, m in models.items():\n    m.append(1)",
    "dict-values": "for m in models.values():\n    m.append(1)",
    "enumerate": "for i, m in enumerate(sorted(models.values())):\n    m.append(1)",
    "zip": "for m, tag in zip(models.values(), 'xy'):\n    m.append(tag)",
}


@pytest.mark.parametrize("source", LOOPS_OVER_ELEMENTS.values(), ids=LOOPS_OVER_ELEMENTS.keys())
def test_changes_through_a_loop_variable_change_the_container_it_came_from(source):
    s = stages([("stage:a", "models = {'a': [], 'b': []}"), ("stage:b", source),
                ("stage:c", "print(models)")])
    assert needs(s["c"]) == {"models": "b"}


def test_a_copy_shares_its_elements_so_both_cross_from_the_copying_stage():
    # b = list(a) holds a's elements: a later change to an element through either is seen
    # through the other, so a later stage loads both from one handoff (extra, not wrong)
    s = stages([("stage:a", "a = [1]"), ("stage:b", "b = list(a)\nb.append(2)"),
                ("stage:c", "print(a)")])
    assert needs(s["c"]) == {"a": "b"}


def test_appending_to_a_copy_leaves_the_original_and_an_element_change_reaches_it():
    s = stages([("stage:a", "a = [[1]]\nb = list(a)"), ("stage:b", "b.append([2])"),
                ("stage:c", "print(a)"), ("stage:d", "b[0].append(3)"), ("stage:e", "print(a)")])
    assert needs(s["c"]) == {"a": "a"}
    assert needs(s["e"]) == {"a": "d"}


def test_labels_of_a_frame_share_nothing_with_it():
    s = stages([("stage:a", "import pandas as pd\ndf = pd.DataFrame({'a': [1], 't': [2]})"),
                ("stage:b", "features = list(df.columns)\nfeatures.remove('t')"),
                ("stage:c", "print(df.shape, features)")])
    assert needs(s["c"]) == {"df": "a", "features": "b"}


def test_a_comprehension_that_changes_its_elements_changes_the_container():
    s = stages([("stage:a", "frames = [{'a': 1}]\ndef clean(f):\n    f['a'] = 0\n    return f"),
                ("stage:b", "_ = [clean(f) for f in frames]"), ("stage:c", "print(frames)")])
    assert needs(s["c"]) == {"frames": "b"}


def test_map_passes_the_elements_to_the_function():
    s = stages([("stage:a", "rows = [[1]]\ndef grow(r):\n    r.append(0)"),
                ("stage:b", "list(map(grow, rows))"), ("stage:c", "print(rows)")])
    assert needs(s["c"]) == {"rows": "b"}


@pytest.mark.parametrize("make", ["Bag(base)", "make_pipeline(base)", "Pipeline([('s', base)])"],
                         ids=["class", "factory", "steps"])
def test_an_object_built_from_a_value_keeps_it(make):
    s = stages([("stage:a", "base = []\nmake_pipeline = Pipeline = Bag = list"),
                ("stage:b", f"held = {make}"), ("stage:c", "held.append(1)"),
                ("stage:d", "print(base)")])
    assert needs(s["d"]) == {"base": "c"}
