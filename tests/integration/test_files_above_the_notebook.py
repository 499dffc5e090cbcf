"""End to end: a notebook in a subfolder of the project (notebooks/ beside data/) reads
'../data/...'. The file is a DVC dependency: after it changes, `nb2pipe run` and `dvc repro` run
the reading stage again and the pipeline computes what the notebook computes with the new data
(it used to stay "up to date" with the old). A file written above the notebook's folder orders
its reader after the writer."""

from __future__ import annotations

import json

import pytest

from tests.nbbuild import notebook

from . import harness

pytestmark = pytest.mark.integration

CELLS = [
    ("stage:load", "import pandas as pd\nraw = pd.read_csv('../data/raw.csv')\n"
                   "raw.assign(double=raw.x * 2).to_csv('../data/made.csv', index=False)"),
    ("stage:report", "import pandas as pd\nmade = pd.read_csv('../data/made.csv')\n"
                     "open('total.txt', 'w').write(str(made.double.sum()))"),
]


def _notebook_beside_data(tmp_path, cells, data: dict[str, str]):
    """A repository with data/ (holding `data`) beside notebooks/nb.ipynb, converted: the
    notebooks folder, and the nb2pipe command."""
    (tmp_path / "data").mkdir()
    for name, text in data.items():
        (tmp_path / "data" / name).write_text(text)
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    (nbs / "nb.ipynb").write_text(json.dumps(notebook(cells)), encoding="utf-8")
    harness.make_repo(tmp_path)
    nb2pipe = str(harness.BIN / "nb2pipe")
    harness.run([nb2pipe, "convert", "nb.ipynb"], nbs)
    return nbs, nb2pipe


def test_a_changed_input_above_the_notebook_runs_its_stage_again(tmp_path):
    nbs, nb2pipe = _notebook_beside_data(tmp_path, CELLS, {"raw.csv": "x\n1\n2\n"})
    assert "../data/raw.csv" in (nbs / "dvc.yaml").read_text()
    harness.run([nb2pipe, "run"], nbs)
    assert (nbs / "total.txt").read_text() == "6"

    (tmp_path / "data" / "raw.csv").write_text("x\n1\n2\n10\n")
    dry = harness.run([nb2pipe, "run", "--dry-run"], nbs).stdout
    assert "would run load: dependency '../data/raw.csv' changed" in dry, dry
    out = harness.run([nb2pipe, "run"], nbs).stdout
    assert "2 stage(s) ran" in out, out
    assert (nbs / "total.txt").read_text() == "26"

    (tmp_path / "data" / "raw.csv").write_text("x\n5\n")
    repro = harness.run([str(harness.BIN / "dvc"), "repro"], nbs)
    assert harness.ran_stages(repro.stdout) == ["load", "report"], repro.stdout
    assert (nbs / "total.txt").read_text() == "10"
    status = harness.run([str(harness.BIN / "dvc"), "status"], nbs).stdout
    assert "up to date" in status, status


FOLDER_CELLS = [
    ("stage:load", "import pandas as pd\n"
                   "frames = [pd.read_csv(f'../data/{s}.csv') for s in ['a', 'b']]"),
    ("stage:report", "open('total.txt', 'w').write(str(sum(int(f.x.sum()) for f in frames)))"),
]


def test_a_changed_file_in_a_folder_read_by_f_string_runs_its_stage_again(tmp_path):
    nbs, nb2pipe = _notebook_beside_data(tmp_path, FOLDER_CELLS,
                                         {"a.csv": "x\n1\n", "b.csv": "x\n2\n"})
    harness.run([nb2pipe, "run"], nbs)
    assert (nbs / "total.txt").read_text() == "3"

    (tmp_path / "data" / "b.csv").write_text("x\n20\n")
    dry = harness.run([nb2pipe, "run", "--dry-run"], nbs).stdout
    assert "would run load: dependency '../data' changed" in dry, dry
    repro = harness.run([str(harness.BIN / "dvc"), "repro"], nbs)
    assert harness.ran_stages(repro.stdout) == ["load", "report"], repro.stdout
    assert (nbs / "total.txt").read_text() == "21"
    assert "up to date" in harness.run([str(harness.BIN / "dvc"), "status"], nbs).stdout
