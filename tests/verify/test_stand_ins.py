"""Values of classes the notebook defined load outside the notebook (verify compares them)."""

from __future__ import annotations

import subprocess
import sys


from jupyter_pipeline.runtime import handoff
from jupyter_pipeline.verify.compare import same

_SAVE = """
import sys
from jupyter_pipeline.runtime import handoff
class Model:
    def __init__(self, w):
        self.w = w
handoff.save(sys.argv[1], {"m": Model(3)}, stage="a")
"""


def test_an_instance_of_a_notebook_class_loads_with_its_state(tmp_path):
    # Saved by a process whose __main__ defines the class, as a stage kernel's does.
    for side in ("whole", "pipe"):
        subprocess.run([sys.executable, "-c", _SAVE, str(tmp_path / side)], check=True)
    # (without stand-ins it loads too, now: the class travels with its instances)
    a = handoff.load(str(tmp_path / "whole"), "m", stand_ins=True)
    b = handoff.load(str(tmp_path / "pipe"), "m", stand_ins=True)
    assert type(a).__name__ == "Model" and a.w == 3
    assert type(a) is type(b) and same(a, b) is None


_SAVE_BUILT_FROM_VALUES = """
import enum, sys
from collections import namedtuple
from jupyter_pipeline.runtime import handoff
class Color(enum.Enum):
    RED = 1
    BLUE = 2
class Boom(Exception):
    pass
P = namedtuple("P", "x y")
pick = int(sys.argv[2])
handoff.save(sys.argv[1], {"c": [Color.RED, Color.BLUE][pick], "e": Boom(f"boom {pick}"),
                           "p": P(1, pick)}, stage="a")
"""


def test_enum_members_exceptions_and_namedtuples_of_the_notebook_load_and_compare(tmp_path):
    """Their pickles call the class with their values (`Color(1)`): a stand-in takes them,
    and two values compare by them."""
    for side, pick in (("whole", "0"), ("pipe", "0"), ("other", "1")):
        subprocess.run([sys.executable, "-c", _SAVE_BUILT_FROM_VALUES, str(tmp_path / side),
                        pick], check=True)
    loaded = {side: {n: handoff.load(str(tmp_path / side), n, stand_ins=True) for n in "cep"}
              for side in ("whole", "pipe", "other")}
    for name in "cep":
        assert same(loaded["whole"][name], loaded["pipe"][name]) is None, name
        assert same(loaded["whole"][name], loaded["other"][name]) is not None, name
