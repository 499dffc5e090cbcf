"""Output normalisation and value comparison used by `nb2pipe verify`."""

from __future__ import annotations

from jupyter_pipeline.verify.compare import cell_outputs, first_output_difference, same
from jupyter_pipeline.verify.probes import probed_notebook
from tests.analysis.helpers import run
from tests.nbbuild import notebook


def test_timings_and_addresses_are_normalised():
    a = cell_outputs([{"output_type": "stream", "name": "stdout",
                       "text": "CPU times: user 2 µs\nWall time: 4 µs\n<obj at 0x7f00aa11bb22>\n"}])
    b = cell_outputs([{"output_type": "stream", "name": "stdout",
                       "text": "CPU times: user 9 ms\nWall time: 1 s\n<obj at 0x7f00cc33dd44>\n"}])
    assert a == b


def test_timeit_s_note_about_a_slow_run_is_timing_too():
    slow = ("The slowest run took 4.13 times longer than the fastest. This could mean that an "
            "intermediate result is being cached.\n12.3 µs ± 8.1 µs per loop (mean ± std. dev. "
            "of 7 runs, 100000 loops each)\n")
    fast = "3.1 µs ± 0.2 µs per loop (mean ± std. dev. of 7 runs, 100000 loops each)\n"
    outputs = [cell_outputs([{"output_type": "stream", "name": "stdout", "text": text}])
               for text in (slow, fast)]
    assert outputs[0] == outputs[1]


def test_split_streams_are_joined_and_errors_compared_by_name_and_value():
    split = cell_outputs([{"output_type": "stream", "name": "stdout", "text": "a\n"},
                          {"output_type": "stream", "name": "stdout", "text": "b\n"}])
    assert split == cell_outputs([{"output_type": "stream", "name": "stdout", "text": "a\nb\n"}])
    err = cell_outputs([{"output_type": "error", "ename": "KeyError", "evalue": "'x'"}])
    assert err == ["KeyError: 'x'"]


def test_first_difference_names_output_and_line():
    assert first_output_difference(["x\ny"], ["x\nz"]) == \
        "output 1, line 2: notebook 'y', pipeline 'z'"
    assert first_output_difference(["a"], ["a"]) is None


def test_value_comparison():
    import numpy as np
    import pandas as pd

    assert same(pd.DataFrame({"a": [1]}), pd.DataFrame({"a": [1]})) is None
    assert same(pd.DataFrame({"a": [1]}), pd.DataFrame({"a": [2]})) == \
        'values differ: DataFrame.iloc[:, 0] (column name="a")'
    assert same(np.array([1.0, np.nan]), np.array([1.0, np.nan])) is None
    assert same({"k": [1, 2]}, {"k": [1, 3]}) == "['k']: [1]: 2 != 3"
    assert same(0.1, 0.2, structure_only=True) is None


def test_probes_follow_each_stage_and_keep_cell_ids():
    cells = [("stage:a", "x = 1"), ("stage:b", "y = x"), (None, "z = y"), ("stage:c", "print(z)")]
    a = run(cells)
    nb = probed_notebook(notebook(cells), a.pipeline, "/tmp/p")
    ids = [c["id"] for c in nb["cells"]]
    assert ids == ["nb2pipe-state-hook", "nb2pipe-state-a", "c0", "nb2pipe-probe-a",
                   "nb2pipe-state-b", "c1", "c2", "nb2pipe-probe-b", "nb2pipe-state-c", "c3",
                   "nb2pipe-probe-c"]
    assert '"x": x' in nb["cells"][3]["source"]
    assert 'needed_by={"x": ["b"]}' in nb["cells"][3]["source"], "its errors name the stages"


def test_a_warning_pointing_at_the_kernels_cell_file_is_normalised():
    def warning(path):
        return cell_outputs([{"output_type": "stream", "name": "stderr",
                              "text": f"{path}: FutureWarning: inplace is deprecated\n"}])

    assert warning("/tmp/ipykernel_17369/2591051334.py:2") == \
        warning("/tmp/ipykernel_17487/4180353505.py:4")


def test_objects_that_refer_to_themselves_are_compared_once():
    class Node:
        def __init__(self, v):
            self.v, self.me = v, self

    assert same(Node(1), Node(1)) is None
    assert same(Node(1), Node(2)) == "['v']: 1 != 2"


def test_figures_are_compared_by_their_output_not_their_insides():
    import weakref

    class Fig:
        pass

    f, g = Fig(), Fig()
    assert same(weakref.ref(f), weakref.ref(g)) is None
