"""Which cells form which stage (analysis/stages.py): tags, Kale's tags, headings, and tag
problems as diagnostics with the cell index."""

from __future__ import annotations

import pytest

from jupyter_pipeline.analysis.stages import heading_names

from .helpers import build, codes, diagnostic, needs, run, stages


def test_untagged_cells_follow_the_stage_before_them():
    s = stages([("stage:a", "x = 1"), (None, "y = x"), ("stage:b", "print(y)"), (None, "z = 1")])
    assert s["a"].cells == (0, 1)
    assert s["b"].cells == (2, 3)
    assert needs(s["b"]) == {"y": "a"}


def test_cells_before_the_first_stage_tag_belong_to_the_first_stage():
    s = stages([(None, "import os"), (None, "w = 0"), ("stage:a", "x = w"),
                ("stage:b", "print(x)")])
    assert list(s) == ["a", "b"]
    assert s["a"].cells == (0, 1, 2)
    assert needs(s["a"]) == {}


def test_an_untagged_notebook_is_one_stage():
    s = stages([(None, "x = 1"), (None, "print(x)")])
    assert list(s) == ["main"] and s["main"].cells == (0, 1)


def test_repeating_the_stage_tag_on_consecutive_cells_is_one_stage():
    s = stages([("stage:a", "x = 1"), ("stage:a", "y = x"), ("stage:b", "print(y)")])
    assert s["a"].cells == (0, 1)


def test_markdown_cells_are_kept_with_their_stage_but_are_not_code():
    s = stages([("stage:a", "x = 1"), (None, "# md: ## Notes"), (None, "y = x")])
    assert s["a"].cells == (0, 2) and s["a"].markdown == (1,)


def test_skip_cells_are_left_out():
    s = stages([("stage:a", "x = 1"), ("skip", "x = 99\nz = 1"), ("stage:b", "print(x)")])
    assert s["a"].cells == (0,)
    assert needs(s["b"]) == {"x": "a"}, "not the skipped cell's x = 99"


def test_a_skip_cell_before_the_first_stage_is_left_out():
    s = stages([("skip", "import this"), ("stage:a", "x = 1")])
    assert s["a"].cells == (1,)


def test_a_value_only_a_skip_cell_sets_is_an_error():
    a = run([("stage:a", "x = 1"), ("skip", "tmp = x * 2"), ("stage:b", "print(tmp)")])
    d = diagnostic(a, "needs-skipped-cell")
    assert d.is_error and d.cell == 2 and "skipped cell 2" in d.message


def test_kale_vocabulary_is_read_as_aliases():
    a = run([("imports", "import math"), ("pipeline-parameters", "n = 2"),
             ("functions", "def sq(v):\n    return v * v"),
             ("step:first", "x = sq(n)"), (["block:second", "prev:first"], "print(math.pi, x)"),
             ("skip", "print('exploration')"), ("pipeline-metrics", "print(x)")])
    assert a.ok, codes(a)
    st = {s.name: s for s in a.pipeline.stages}
    assert list(st) == ["first", "second"]
    assert st["first"].cells == (0, 1, 2, 3), "Kale's imports/functions cells lead the first step"
    assert st["second"].cells == (4, 6)
    assert st["second"].after == ("first",)
    assert st["second"].metrics == ("x",)
    assert st["first"].params == ("n",) and a.pipeline.param_values == {"n": 2}
    assert st["second"].imports == ("import math",)


def test_after_orders_a_stage_without_a_variable():
    s = stages([("stage:a", "open('log.txt', 'a').write('x')"),
                (["stage:b", "after:a"], "print(1)")])
    assert s["b"].after == ("a",) and s["b"].upstream == ("a",)


def test_after_naming_no_stage_is_an_error():
    a = run([("stage:a", "x = 1"), (["stage:b", "after:nowhere"], "y = 2")])
    d = diagnostic(a, "unknown-after")
    assert d.is_error and d.cell == 1 and "a, b" in d.message


def test_after_naming_a_later_stage_is_an_error():
    a = run([(["stage:a", "after:b"], "x = 1"), ("stage:b", "y = 2")])
    assert diagnostic(a, "after-later-stage").cell == 0


@pytest.mark.parametrize("tag", ["stage:Bad Name", "block:Bad Name", "after:Bad Name"])
def test_an_invalid_stage_name_is_an_error_that_suggests_one(tag):
    a = run([("stage:ok", "x = 1"), (["stage:ok", tag], "y = 1")])
    d = diagnostic(a, "bad-tag")
    assert d.is_error and d.cell == 1 and "bad-name" in d.message


def test_the_same_stage_in_two_separate_runs_of_cells_is_an_error():
    a = run([("stage:a", "x = 1"), ("stage:b", "y = 1"), ("stage:a", "z = 1")])
    d = diagnostic(a, "stage-split")
    assert d.is_error and d.cell == 2 and "cell 1" in d.message


def test_no_code_cells_is_an_error():
    a = run([(None, "# md: just text")])
    d = diagnostic(a, "no-code")
    assert d.is_error and a.pipeline.stages == ()


def test_a_stage_of_only_skip_cells_is_an_error():
    a = run([("stage:a", "x = 1"), (["stage:b", "skip"], "y = 1")])
    assert diagnostic(a, "empty-stage").cell == 1


def test_a_value_first_set_by_a_later_stage_is_an_order_error():
    a = run([("stage:a", "print(late)"), ("stage:b", "late = 1")])
    d = diagnostic(a, "needs-later-stage")
    assert d.is_error and d.cell == 0 and d.line == 1 and "'late'" in d.message
    assert "stage 'b'" in d.message


def test_a_name_nobody_binds_is_no_order_error():
    # builtins, star-import names and names that fail in the notebook too
    a = run([("stage:a", "print(len([1]))"), ("stage:b", "x = 1")])
    assert a.ok


def test_metrics_cell_names_assigned_and_mentioned_values():
    s = stages([("stage:a", "acc = 0.9\nloss = 0.1\nimport math"),
                ("metrics", "f1 = 0.8\nprint(acc)\nloss\nmath")])
    assert set(s["a"].metrics) == {"f1", "acc", "loss"}, "a module is no metric"


# -- --by-headings -----------------------------------------------------------------------------

HEADED = [(None, "# md: # Title\n## Load data"), (None, "x = 1"),
          (None, "# md: ## Load data"), (None, "y = x"), (None, "# md: ### Detail"),
          (None, "z = y"), (None, "# md: ## Plot `z`!"), (None, "print(z)")]


def test_by_headings_splits_at_level_two_with_unique_slugs():
    s = stages(HEADED, by_headings=2)
    assert list(s) == ["load-data", "load-data-2", "plot-z"]
    assert s["load-data-2"].cells == (3, 5), "a level-3 heading does not split"
    assert needs(s["plot-z"]) == {"z": "load-data-2"}


def test_level_two_is_the_default_heading_level():
    assert heading_names(build(HEADED)) == {1: "load-data", 3: "load-data-2", 7: "plot-z"}


def test_by_headings_at_another_level():
    s = stages(HEADED, by_headings=3)
    assert list(s) == ["detail"] and s["detail"].cells == (1, 3, 5, 7)


def test_by_headings_keeps_code_before_the_first_heading_in_the_first_stage():
    s = stages([(None, "import os"), (None, "# md: ## Load"), (None, "x = 1")], by_headings=2)
    assert list(s) == ["load"] and s["load"].cells == (0, 2)


def test_by_headings_leaves_a_stage_tag_in_charge():
    s = stages([(None, "# md: ## Load"), ("stage:mine", "x = 1"), (None, "# md: ## Next"),
                (None, "y = x")], by_headings=2)
    assert list(s) == ["mine", "next"]


def test_a_heading_with_no_code_after_it_makes_no_stage():
    s = stages([(None, "# md: ## Empty"), (None, "# md: ## Real"), (None, "x = 1")],
               by_headings=2)
    assert list(s) == ["real"]


# -- a skipped cell that changes a value the pipeline reads -----------------------------------

SKIP_CHANGES = {
    "rebind": "x = [99]",
    "in-place": "x.append(99)",
    "augmented": "x += [99]",
    "passed-to-a-function": "def grow(v):\n    v.append(1)\ngrow(x)",
}


@pytest.mark.parametrize("source", SKIP_CHANGES.values(), ids=SKIP_CHANGES.keys())
def test_a_skipped_cell_changing_what_a_later_stage_reads_warns(source):
    a = run([("stage:a", "x = [1]"), ("skip", source), ("stage:b", "print(x)")])
    d = diagnostic(a, "skipped-cell-changes")
    assert a.ok and d.cell == 2 and "skipped cell 2" in d.message


@pytest.mark.parametrize("source", ["print(x)", "x.copy()", "import seaborn as sns\nsns.histplot(x)",
                                    "y = 5"], ids=["print", "read-only-method", "plot", "other"])
def test_a_skipped_cell_that_only_looks_does_not_warn(source):
    a = run([("stage:a", "x = [1]"), ("skip", source), ("stage:b", "print(x)")])
    assert "skipped-cell-changes" not in codes(a)


def test_a_skipped_change_before_the_value_is_set_does_not_warn():
    a = run([("stage:a", "w = 0"), ("skip", "x = 99"), ("stage:b", "x = [1]"),
             ("stage:c", "print(x)")])
    assert "skipped-cell-changes" not in codes(a)
