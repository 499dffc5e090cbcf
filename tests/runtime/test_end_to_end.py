"""Through real stages (`nb2pipe run` and `dvc repro`): a later stage sees the values exactly as
the notebook run top to bottom sees them, and instances of notebook classes load in a stage
that never names their class."""

from __future__ import annotations

import json

import nbformat
import pytest

from tests.integration import harness
from tests.nbbuild import notebook

pytestmark = pytest.mark.integration

_CELLS = [
    ("stage:make", "import numpy as np\nimport pandas as pd\nfrom collections import namedtuple\n"
                   "Point = namedtuple('Point', 'x y')\n"
                   "if True:\n    class Bag:\n        def total(self):\n"
                   "            return sum(self.items)\n"
                   "days = pd.DataFrame({'v': [1.0, 2.0, 3.0]},\n"
                   "                    index=pd.date_range('2024-01-01', periods=3, freq='D'))\n"
                   "idx = pd.MultiIndex.from_product([['a', 'b'], [1, 2]], names=['k', 'n'])\n"
                   "multi = pd.DataFrame({'v': range(4)}, index=idx).loc[['a']]\n"
                   "strict = pd.DataFrame({'a': [1]}).set_flags(allows_duplicate_labels=False)\n"
                   "strict.attrs['unit'] = 'kg'\n"
                   "frozen = np.arange(6.0)\nfrozen.flags.writeable = False\n"
                   "every_other = np.arange(10.0)[::2]\n"
                   "labels = pd.Index(['x', 'y'], name='label')\n"
                   "bag = Bag()\nbag.items = [1, 2, 3]\np = Point(1, 2)\n"
                   "rows = [[i] for i in range(20000)]\nlast = rows[-1]"),
    ("stage:report", "last.append('seen')\n"
                     "print(days.index.freq, multi.index.levels[0].tolist(), "
                     "multi.index.names)\n"
                     "print(strict.flags.allows_duplicate_labels, strict.attrs)\n"
                     "print(frozen.flags.writeable, every_other.strides, type(labels).__name__, "
                     "labels.name)\n"
                     "print(bag.total(), p.x + p.y, rows[-1])"),
]


def _printed(executed: nbformat.NotebookNode, cell_id: str) -> str:
    cell = next(c for c in executed.cells if c.get("id") == cell_id)
    return "".join(o.get("text", "") for o in cell.outputs
                   if o.output_type == "stream" and o.get("name") == "stdout")


def test_later_stages_see_values_as_the_notebook_does(tmp_path):
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "nb.ipynb").write_text(json.dumps(notebook(_CELLS)), encoding="utf-8")
    harness.run([str(harness.BIN / "papermill"), "nb.ipynb", "whole.ipynb",
                 "--no-progress-bar"], folder)
    whole = _printed(nbformat.read(folder / "whole.ipynb", as_version=4), "c1")
    assert "D" in whole and "['a', 'b']" in whole and "False {'unit': 'kg'}" in whole, whole
    (folder / "whole.ipynb").unlink()

    harness.make_repo(folder)
    harness.run([str(harness.BIN / "nb2pipe"), "convert", "nb.ipynb"], folder)
    harness.commit_all(folder, "converted")
    executed = folder / "pipelines" / "nb" / "executed" / "report.ipynb"
    harness.run([str(harness.BIN / "nb2pipe"), "run"], folder)
    assert _printed(nbformat.read(executed, as_version=4), "c1") == whole
    harness.run([str(harness.BIN / "dvc"), "repro", "--force"], folder)
    assert _printed(nbformat.read(executed, as_version=4), "c1") == whole


def test_a_value_that_cannot_cross_stops_the_run_with_its_name_stages_and_ways_out(tmp_path):
    # Held inside a dict, the lambda-factory defaultdict is out of the analysis' sight (made
    # directly, convert refuses it: tests/analysis/test_cannot_cross.py); the save step says so.
    folder = tmp_path / "p"
    folder.mkdir()
    cells = [("stage:count", "from collections import defaultdict\nholder = {}\n"
                             "holder['counts'] = defaultdict(lambda: 0)\n"
                             "holder['counts']['a'] += 1"),
             ("stage:report", "print(dict(holder['counts']))")]
    (folder / "nb.ipynb").write_text(json.dumps(notebook(cells)), encoding="utf-8")
    harness.make_repo(folder)
    harness.run([str(harness.BIN / "nb2pipe"), "convert", "nb.ipynb"], folder)
    harness.commit_all(folder, "converted")
    proc = harness.run([str(harness.BIN / "nb2pipe"), "run"], folder, check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "'holder' cannot be handed from stage 'count' to stage 'report'" in out, out
    assert "Can't pickle <function <lambda>" in out and "keep the code that creates" in out, out
    assert "Traceback" not in out, out


def test_a_value_made_so_that_it_cannot_cross_is_refused_at_convert(tmp_path):
    cells = [("stage:count", "from collections import defaultdict\n"
                             "counts = defaultdict(lambda: 0)\ncounts['a'] += 1"),
             ("stage:report", "print(dict(counts))")]
    (tmp_path / "nb.ipynb").write_text(json.dumps(notebook(cells)), encoding="utf-8")
    proc = harness.run([str(harness.BIN / "nb2pipe"), "convert", "nb.ipynb"], tmp_path,
                       check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "'counts', which is a defaultdict whose default is a lambda" in out, out
    assert not (tmp_path / "dvc.yaml").exists()
