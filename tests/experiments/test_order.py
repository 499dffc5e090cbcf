"""Which combination runs next: combinations that share an upstream stage's result do not
compute it at the same time (pure code)."""

from __future__ import annotations

from jupyter_pipeline.experiments.grid import combinations, parse_grid
from jupyter_pipeline.experiments.order import (StageParams, next_combination, swept_inputs,
                                                work_keys)

# load -> train (reads n) -> evaluate (reads tol)
STAGES = [StageParams("load", (), ()), StageParams("train", ("load",), ("n",)),
          StageParams("evaluate", ("train",), ("tol",))]


def test_a_stage_depends_on_the_swept_names_it_or_its_upstream_reads():
    assert swept_inputs(STAGES, ["n", "tol"]) == {"load": (), "train": ("n",),
                                                  "evaluate": ("n", "tol")}
    whole_file = [StageParams("a", (), None)]
    assert swept_inputs(whole_file, ["x"]) == {"a": ("x",)}


def test_combinations_that_would_train_the_same_model_at_once_wait():
    combos = combinations(parse_grid(["n=1,2", "tol=0.1,0.2"]))  # (1,.1) (1,.2) (2,.1) (2,.2)
    inputs = swept_inputs(STAGES, ["n", "tol"])
    keys = {i: work_keys(c, inputs) for i, c in enumerate(combos)}
    waiting = [0, 1, 2, 3]
    first = next_combination(waiting, keys, set(), set(), False)
    assert first == 0
    waiting.remove(first)
    second = next_combination(waiting, keys, set(), keys[first], True)
    assert combos[second].as_dict()["n"] == 2  # not n=1: that model is being trained
    waiting.remove(second)
    running = keys[first] | keys[second]
    assert next_combination(waiting, keys, set(), running, True) is None  # wait
    after = next_combination(waiting, keys, keys[first], keys[second], True)
    assert combos[after].as_dict()["n"] == 1  # reuses the finished n=1 model


def test_with_nothing_running_a_clash_does_not_stall_the_sweep():
    combos = combinations(parse_grid(["tol=0.1,0.2"]))
    keys = {i: work_keys(c, swept_inputs(STAGES, ["tol"])) for i, c in enumerate(combos)}
    assert next_combination([0, 1], keys, set(), set(), False) == 0
    assert next_combination([], keys, set(), set(), False) is None
