"""The table at the end of a sweep, from what `dvc exp show --json` reports (pure code)."""

from __future__ import annotations

from jupyter_pipeline.experiments.results import best_first, metric_columns, rows, sort_column


def _exp(name, rev, params, metrics):
    return {"name": name, "revs": [{"rev": rev, "name": name, "data": {
        "rev": rev, "params": {"params.yaml": {"data": params}},
        "metrics": {f: {"data": d} for f, d in metrics.items()}}}]}


SHOWN = [
    {"rev": "workspace", "name": None, "data": {}},
    {"rev": "base", "name": "main", "data": {}, "experiments": [
        _exp("a", "r1", {"n": 1, "m": {"k": 2}}, {"m.json": {"acc": 0.5, "loss": {"val": 3}}}),
        _exp("b", "r2", {"n": 2, "m": {"k": 2}}, {"m.json": {"acc": 0.9, "loss": {"val": 1}},
                                                  "x.json": {"acc": 7}}),
        _exp("c", "r3", {"n": 3, "m": {"k": 2}}, {"m.json": {"acc": "n/a"}}),
        _exp("other", "r4", {"n": 4}, {}),
    ]},
]


def test_rows_hold_the_swept_params_and_every_metric_of_the_sweeps_experiments_only():
    table = rows(SHOWN, ["r1", "r2", "r3"], ["n", "m.k"])
    assert [r.name for r in table] == ["a", "b", "c"]
    assert table[0].params == (("n", 1), ("m.k", 2))
    # `acc` is in two files: its columns are named with the file; nested keys are dotted
    assert metric_columns(table) == ["m.json:acc", "loss.val", "x.json:acc"]


def test_best_first_by_a_metric_named_by_its_key_or_file_and_key():
    table = rows(SHOWN, ["r1", "r2", "r3"], ["n"])
    assert sort_column(table, "loss.val") == "loss.val"
    assert sort_column(table, "m.json:acc") == "m.json:acc"
    assert sort_column(table, "acc") is None  # two files have it: ambiguous
    assert sort_column(table, "nope") is None
    assert [r.name for r in best_first(table, "m.json:acc")] == ["b", "a", "c"]
    assert [r.name for r in best_first(table, "loss.val", ascending=True)] == ["b", "a", "c"]


def test_the_params_of_a_pipeline_in_a_sub_folder_are_found_under_its_path():
    shown = [{"rev": "base", "experiments": [
        {"name": "a", "revs": [{"rev": "r1", "data": {
            "params": {"proj/params.yaml": {"data": {"n": 4}}}, "metrics": {}}}]}]}]
    assert rows(shown, ["r1"], ["n"], "proj/params.yaml")[0].params == (("n", 4),)
    assert rows(shown, ["r1"], ["n"])[0].params == (("n", None),)
