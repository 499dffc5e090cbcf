"""The verdicts: what the two whole runs show differently is the notebook's own variation,
reported and left out; everything else is still compared."""

from __future__ import annotations

import numpy as np

from jupyter_pipeline.verify import judge
from jupyter_pipeline.verify.compare import Paths, cell_outputs


def _out(*lines):
    return ["[stdout] " + "\n".join(lines) + "\n"]


def test_a_cell_that_shows_the_same_in_both_whole_runs_is_compared_strictly():
    v = judge.outputs([_out("a"), _out("a")], _out("b"))
    assert v.varies is None
    assert v.difference == "output 1, line 1: notebook '[stdout] a', pipeline '[stdout] b'"


def test_lines_that_vary_between_whole_runs_are_left_out_the_others_still_count():
    first, second = _out("took 0.31 s", "acc 0.9"), _out("took 0.52 s", "acc 0.9")
    assert judge.outputs([first, second], _out("took 0.44 s", "acc 0.9")) == \
        judge.Verdict(None, "output 1, line 1")
    v = judge.outputs([first, second], _out("took 0.44 s", "acc 0.8"))
    assert v.varies == "output 1, line 1"
    assert v.difference == "output 1, line 2: notebook 'acc 0.9', pipeline 'acc 0.8'"


def test_a_cell_whose_outputs_have_another_shape_in_each_whole_run_is_left_out():
    v = judge.outputs([_out("a"), _out("a", "b")], _out("c", "d", "e"))
    assert v == judge.Verdict(None, "its outputs")


def test_a_third_whole_run_that_differs_where_two_agreed_makes_it_the_notebook_s_variation():
    # A coin flip: the first two whole runs drew 0, the pipeline 1; a third whole run drew 1.
    assert judge.outputs([_out("0", "k"), _out("0", "k")], _out("1", "k")).difference
    assert judge.outputs([_out("0", "k"), _out("0", "k"), _out("1", "k")], _out("1", "k")) == \
        judge.Verdict(None, "output 1, line 1")
    assert judge.outputs([_out("0", "k"), _out("0", "k"), _out("1", "k")], _out("1", "j")) == \
        judge.Verdict("output 1, line 2: notebook 'k', pipeline 'j'", "output 1, line 1")
    assert judge.value([0, 0, 1], 1) == judge.Verdict(None, "0 != 1")
    assert judge.file([b"0", b"0", b"1"], b"1", text=True) == judge.Verdict(None, "its content")


def test_one_whole_run_compares_everything():
    assert judge.outputs([_out("a")], _out("a")) == judge.Verdict()


def test_a_value_that_varies_is_compared_by_structure():
    r = np.random.default_rng
    v = judge.value([r(1).random(3), r(2).random(3)], r(3).random(3))
    assert v.varies == "array values differ" and v.difference is None
    v = judge.value([r(1).random(3), r(2).random(3)], r(3).random(4))
    assert v.difference == "shape/dtype (3,)/float64 != (4,)/float64"
    assert judge.value([1, 1], 2) == judge.Verdict("1 != 2")


def test_files():
    assert judge.file([b"a", b"a"], b"a", text=True) == judge.Verdict()
    assert judge.file([b"a", b"a"], b"b", text=True).difference == "its content differs"
    assert judge.file([b"a", b"b"], b"c", text=True) == judge.Verdict(None, "its content")
    assert judge.file([b"a", b"a"], None, text=True).difference == \
        "the pipeline did not write it"
    assert judge.file([b"\x89PNG1"], b"\x89PNG2", text=False) == judge.Verdict()


def test_scratch_paths_in_outputs_are_shown_as_the_user_s_folder():
    paths = Paths.of({"/tmp/s/nb-run-1/proj": "/home/u/proj", "/tmp/s/nb-run-1": "/home/u",
                      "/tmp/s/pipeline/proj": "/home/u/proj", "/tmp/s/pipeline": "/home/u"})

    def shown(path):
        return cell_outputs([{"output_type": "stream", "name": "stdout", "text": path}], paths)

    assert shown("/tmp/s/nb-run-1/proj\n/tmp/s/nb-run-1/data") == \
        shown("/tmp/s/pipeline/proj\n/tmp/s/pipeline/data") == \
        ["[stdout] /home/u/proj\n/home/u/data"]


def test_stages_that_load_a_varying_value_are_downstream_of_the_variation():
    from jupyter_pipeline.verify.run import _downstream_of_variation
    from tests.analysis.helpers import run

    a = run([("stage:draw", "import random\nx = random.random()\nk = 3"),
             ("stage:use", "y = x * 2"), ("stage:later", "z = y + 1"),
             ("stage:fixed", "w = k + 1")])
    found = _downstream_of_variation(list(a.pipeline.stages), {("draw", "x")})
    assert found == {"use": "'x', which the notebook itself varies",
                     "later": "'y' from stage 'use', which depends on values the notebook "
                              "itself varies"}
