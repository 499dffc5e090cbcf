"""The tag contract: which cells form which stage, Kale's vocabulary, and tag problems."""

from __future__ import annotations

from .helpers import codes, needs, run, stages


def test_untagged_cells_follow_the_stage_before_them_and_leading_cells_join_the_first():
    s = stages([(None, "import os"), ("stage:a", "x = 1"), (None, "y = x"),
                ("stage:b", "print(y)")])
    assert s["a"].cells == (0, 1, 2)
    assert s["b"].cells == (3,)


def test_skip_cells_are_left_out():
    s = stages([("stage:a", "x = 1"), ("skip", "x = 99\nz = 1"), ("stage:b", "print(x)")])
    assert s["a"].cells == (0,)
    assert needs(s["b"]) == {"x": "a"}


def test_kale_vocabulary_is_read_as_aliases():
    a = run([("imports", "import math"), ("pipeline-parameters", "n = 2"),
             ("functions", "def sq(v):\n    return v * v"),
             ("step:first", "x = sq(n)"), (["block:second", "prev:first"], "print(math.pi, x)"),
             ("pipeline-metrics", "print(x)")])
    assert a.ok
    st = {s.name: s for s in a.pipeline.stages}
    assert list(st) == ["first", "second"]
    assert st["second"].after == ("first",)
    assert st["second"].metrics == ("x",)
    assert a.pipeline.param_values == {"n": 2}


def test_after_naming_no_stage_is_an_error():
    a = run([("stage:a", "x = 1"), (["stage:b", "after:nowhere"], "y = 2")])
    assert "unknown-after" in codes(a)


def test_invalid_stage_name_is_an_error_that_suggests_one():
    a = run([("stage:Bad Name", "x = 1")])
    d = next(d for d in a.errors if d.code == "bad-tag")
    assert "stage:bad-name" in d.message and d.cell == 0


def test_same_stage_in_two_separate_runs_is_an_error():
    a = run([("stage:a", "x = 1"), ("stage:b", "y = 1"), ("stage:a", "z = 1")])
    d = next(d for d in a.errors if d.code == "stage-split")
    assert d.cell == 2


def test_no_code_cells_is_an_error():
    a = run([(None, "# md: just text")])
    assert "no-code" in codes(a)


def test_a_value_first_set_by_a_later_stage_is_an_order_error():
    a = run([("stage:a", "print(late)"), ("stage:b", "late = 1")])
    d = next(d for d in a.errors if d.code == "needs-later-stage")
    assert d.cell == 0 and "'late'" in d.message


def test_metrics_cell_names_assigned_and_mentioned_values():
    s = stages([("stage:a", "acc = 0.9\nloss = 0.1"), ("metrics", "f1 = 0.8\nprint(acc)\nloss")])
    assert set(s["a"].metrics) == {"f1", "acc", "loss"}


def test_by_headings_splits_at_level_two_with_unique_slugs():
    cells = [(None, "# md: # Title\n## Load data"), (None, "x = 1"),
             (None, "# md: ## Load data"), (None, "y = x"), (None, "# md: ### Detail"),
             (None, "z = y"), (None, "# md: ## Plot!"), (None, "print(z)")]
    s = stages(cells, by_headings=2)
    assert list(s) == ["load-data", "load-data-2", "plot"]
    assert s["load-data-2"].cells == (3, 5)
    s3 = stages(cells, by_headings=3)
    assert list(s3) == ["detail"]


def test_a_value_only_a_skip_cell_sets_is_an_error():
    a = run([("stage:a", "x = 1"), ("skip", "tmp = x * 2"), ("stage:b", "print(tmp)")])
    d = next(d for d in a.errors if d.code == "needs-skipped-cell")
    assert d.cell == 2 and "skipped cell 1" in d.message
