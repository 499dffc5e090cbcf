"""Instances of classes the notebook defined load in a stage that never names the class, and
values that cannot cross fail the save naming the variable, the stage and the ways out.

A stage kernel defines the notebook's classes in `__main__`; so do the processes here
(`python -c`), one saving as an earlier stage and one loading as a later stage.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from jupyter_pipeline.runtime import handoff

_MODEL = """
class Model:
    def __init__(self, w):
        self.w = w
    def predict(self):
        return self.w * SCALE
    @property
    def double(self):
        return 2 * self.w
    @staticmethod
    def kind():
        return "model"
"""

_SAVE = """
import sys
from collections import namedtuple
from dataclasses import dataclass
from jupyter_pipeline.runtime import handoff

SCALE = 2

{model}
class Tuned(Model):
    def predict(self):
        return super().predict() + 1

@dataclass
class Row:
    id: int

Point = namedtuple("Point", "x y")

def factory():
    class Local:
        n = 5
    return Local()

models = [Model(1), Tuned(2)]
handoff.save(sys.argv[1], {"models": models, "best": models[1], "row": Row(7), "p": Point(1, 2),
                           "local": factory()}, stage="train")
handoff.save(sys.argv[2], {"other": Model(3)}, stage="more")
"""


def _run(code: str, *args: str) -> str:
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    root = tmp_path_factory.mktemp("classes")
    _run(_SAVE.replace("{model}", _MODEL), str(root / "train"), str(root / "more"))
    return root


_LOAD = """
import sys
from jupyter_pipeline.runtime import handoff
{setup}
models = handoff.load(sys.argv[1] + "/train", "models")
best = handoff.load(sys.argv[1] + "/train", "best")
other = handoff.load(sys.argv[1] + "/more", "other")
row = handoff.load(sys.argv[1] + "/train", "row")
p = handoff.load(sys.argv[1] + "/train", "p")
local = handoff.load(sys.argv[1] + "/train", "local")
{body}
"""


def test_instances_load_where_the_class_is_not_defined(saved):
    body = ("import json; print(json.dumps([best is models[1], [m.predict() for m in models], "
            "type(models[0]).__name__, type(models[0]) is type(other), isinstance(best, "
            "type(models[0])), models[0].double, models[0].kind(), row.id, p.x + p.y, "
            "local.n, repr(row)]))")
    out = json.loads(_run(_LOAD.format(setup="", body=body), str(saved)))
    assert out == [True, [2, 5], "Model", True, True, 2, "model", 7, 3, 5, "Row(id=7)"]


def test_methods_of_a_remade_class_read_the_loading_stages_globals(saved):
    # As in the notebook, a method reads the global as it is when it runs.
    body = "print(models[0].predict(), best.predict())"
    assert _run(_LOAD.format(setup="SCALE = 10", body=body), str(saved)).split() == ["10", "21"]


def test_a_stage_that_defines_the_class_gets_instances_of_its_own_class(saved):
    # nb2pipe defines it again from the notebook's source: the same definition
    setup = "SCALE = 100\n" + _MODEL
    # ...also as the base of a class it does not define
    body = "print(type(other) is Model, other.predict(), isinstance(best, Model), best.predict())"
    out = _run(_LOAD.format(setup=setup, body=body), str(saved)).split()
    assert out == ["True", "300", "True", "201"]


def test_an_instance_loads_here_too_and_hands_on_again(saved, tmp_path):
    other = handoff.load(str(saved / "more"), "other")
    assert type(other).__name__ == "Model" and other.predict() == 6
    handoff.save(str(tmp_path / "next"), {"again": other, "n": 1}, stage="next")
    handoff._loaded.clear()
    assert handoff.load(str(tmp_path / "next"), "again").w == 3


_CANNOT = """
import sys, collections, functools, io
from jupyter_pipeline.runtime import handoff
def outer():
    k = 3
    def inner(x):
        return x * k
    return inner
def gen():
    yield 1
cases = {{
    "counts": collections.defaultdict(lambda: 0),
    "scaled": outer(),
    "rows": gen(),
    "log": open(sys.argv[1] + "/log.txt", "w"),
    "pick": functools.partial(lambda a, b: a + b, 1),
}}
name = sys.argv[2]
values = {{name: cases[name], "plain": 1}}
if len(sys.argv) > 3:
    values["holder"] = [cases[name]]  # the value shares an object with another: one pickle
try:
    handoff.save(sys.argv[1] + "/out", values, stage="prep", needed_by={{name: ["train"]}})
except handoff.HandoffError as e:
    print(e)
"""


@pytest.mark.parametrize("name", ["counts", "scaled", "rows", "log", "pick"])
@pytest.mark.parametrize("grouped", [False, True], ids=["alone", "in a group"])
def test_a_value_that_cannot_cross_fails_the_save_naming_it_the_stages_and_the_ways_out(
        tmp_path, name, grouped):
    args = [str(tmp_path), name] + (["group"] if grouped else [])
    message = _run(_CANNOT.format(), *args)
    assert f"'{name}' cannot be handed from stage 'prep' to stage 'train'" in message
    assert "keep the code that creates and uses it in one stage" in message
    assert "recreate the object in the later stage" in message
    assert "Traceback" not in message


_OLD_AND_NEW = """
import sys
from jupyter_pipeline.runtime import handoff
class Model:
    def predict(self):
        return "old"
old = Model()
class Model:  # redefined, as a later cell of the notebook may do
    def predict(self):
        return "new"
handoff.save(sys.argv[1], {"old": old, "new": Model()}, stage="redefine")
"""


def test_an_object_made_before_its_class_was_redefined_keeps_the_old_class(tmp_path):
    _run(_OLD_AND_NEW, str(tmp_path / "h"))
    # the loading stage defines the class as the notebook last did
    setup = "class Model:\n    def predict(self):\n        return 'new'\n"
    body = "print(old.predict(), new.predict(), type(new) is Model, type(old) is Model)"
    code = ("import sys\nfrom jupyter_pipeline.runtime import handoff\n" + setup +
            "old = handoff.load(sys.argv[1], 'old')\nnew = handoff.load(sys.argv[1], 'new')\n"
            + body)
    assert _run(code, str(tmp_path / "h")).split() == ["old", "new", "True", "False"]


_FUNCTIONS = """
import sys, functools
from jupyter_pipeline.runtime import handoff
RATE = 2
def scale(x, by):
    return x * by * RATE
handoff.save(sys.argv[1], {"double": functools.partial(scale, by=2), "steps": {"f": scale}},
             stage="prep")
"""


def test_a_notebook_function_inside_a_value_loads_where_it_is_not_defined(tmp_path):
    _run(_FUNCTIONS, str(tmp_path / "h"))
    load = ("import sys\nfrom jupyter_pipeline.runtime import handoff\n{setup}\n"
            "double = handoff.load(sys.argv[1], 'double')\n"
            "steps = handoff.load(sys.argv[1], 'steps')\n"
            "print(double(5), steps['f'](1, 1), steps['f'] is double.func)")
    assert _run(load.format(setup=""), str(tmp_path / "h")).split() == ["20", "2", "True"]
    # it reads the loading stage's globals, as the notebook's function reads the notebook's
    assert _run(load.format(setup="RATE = 10"), str(tmp_path / "h")).split() == \
        ["100", "10", "True"]
    # where the stage defines the same function, that one is used
    same_def = "RATE = 1\ndef scale(x, by):\n    return x * by * RATE\n"
    out = _run(load.format(setup=same_def) + "\nprint(double.func is scale)",
               str(tmp_path / "h")).split()
    assert out == ["10", "1", "True", "True"]
