"""Every message names a cell by the number JupyterLab shows (1-based, "Cell 3/23" in its status
bar), never by nbformat's 0-based index: a text that writes `cell {index}` itself instead of
going through model.diagnostics.cell_name would show the user the cell before the one meant.
(The behaviour is tested where users see it, tests/cli; this keeps new messages in line.)"""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "jupyter_pipeline"
# The modules that turn an index into a number, and the runner's names for cells that are
# numbers already (the stage's "cell 2/4", a number read from the stage notebook).
ALLOWED = {"model/diagnostics.py", "runner/cells.py"}
CELL_IN_TEXT = re.compile(r"\bcells? \{")


def test_no_message_writes_a_cell_index_itself():
    found = [f"{path.relative_to(PACKAGE)}:{n}: {line.strip()}"
             for path in sorted(PACKAGE.rglob("*.py"))
             if path.relative_to(PACKAGE).as_posix() not in ALLOWED
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if CELL_IN_TEXT.search(line)]
    assert not found, ("name cells with model.diagnostics.cell_name(index) (the number "
                       "JupyterLab shows):\n" + "\n".join(found))
