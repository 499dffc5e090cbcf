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
