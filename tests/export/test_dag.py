"""The graph `nb2pipe dag DIR` draws from a dvc.yaml, including hand-written stages."""

from __future__ import annotations

from jupyter_pipeline.export.dag import edges_from_dvc, render


def test_a_dep_matches_an_out_written_from_another_working_directory():
    stages = {
        "fetch": {"cmd": "curl -o raw.csv URL", "wdir": "data", "outs": ["raw.csv"]},
        "clean": {"cmd": "python clean.py", "wdir": "src",
                  "deps": ["../data/raw.csv", "clean.py"], "outs": ["../data/clean/"]},
        "train": {"cmd": "python train.py", "deps": ["data/clean/part-0.csv"]},
    }
    edges = edges_from_dvc(stages)
    assert edges == {"fetch": [], "clean": [("fetch", "../data/raw.csv")],
                     "train": [("clean", "data/clean/part-0.csv")]}
    assert "clean  <- fetch: ../data/raw.csv" in render(edges)


def test_same_name_in_different_working_directories_is_not_an_edge():
    stages = {
        "a": {"cmd": "x", "wdir": "one", "outs": ["out.csv"]},
        "b": {"cmd": "y", "wdir": "two", "deps": ["out.csv"]},
    }
    assert edges_from_dvc(stages) == {"a": [], "b": []}
