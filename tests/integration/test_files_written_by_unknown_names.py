"""End to end: a stage writes files into a folder at names built in a loop
(`to_csv(f"output/{n}.csv")`) and a later stage that shares no variable with it reads one of
them by its literal name. That file is the writer's, not raw data: the reader runs after the
writer, with `nb2pipe run` (which runs independent stages at the same time) and `dvc repro`.
It used to be a dependency on a file no stage declares, which a fresh run refused as missing."""

from __future__ import annotations

import json

import pytest

from tests.nbbuild import notebook

from . import harness

pytestmark = pytest.mark.integration

CELLS = [
    ("stage:write", "import os\nimport pandas as pd\nos.makedirs('output', exist_ok=True)\n"
                    "for n in ['x', 'y']:\n"
                    "    pd.DataFrame({'v': [len(n) * 7]}).to_csv(f'output/{n}.csv', index=False)"),
    ("stage:read", "import pandas as pd\n"
                   "open('seen.txt', 'w').write(str(pd.read_csv('output/x.csv').v.sum()))"),
]


def test_a_file_written_at_a_built_name_is_read_after_its_writer(tmp_path):
    (tmp_path / "nb.ipynb").write_text(json.dumps(notebook(CELLS)), encoding="utf-8")
    harness.make_repo(tmp_path)
    nb2pipe = str(harness.BIN / "nb2pipe")
    harness.run([nb2pipe, "convert", "nb.ipynb"], tmp_path)
    harness.run([nb2pipe, "run"], tmp_path)
    assert (tmp_path / "seen.txt").read_text() == "7"
    repro = harness.run([str(harness.BIN / "dvc"), "repro", "--force"], tmp_path)
    assert harness.ran_stages(repro.stdout) == ["write", "read"], repro.stdout
    assert "up to date" in harness.run([str(harness.BIN / "dvc"), "status"], tmp_path).stdout


def test_an_input_a_stage_before_it_may_make_is_looked_for_when_the_stage_starts(tmp_path):
    # Stage a writes files at names only its run knows; b reads 'data.csv', which no stage
    # declares. dvc repro looks for it when it reaches b: a may have made it. nb2pipe run did
    # the same check before running anything and refused what dvc repro ran.
    from .test_runner import _notebook_project, nb2pipe

    made = ("import os\nname = os.environ.get('NB2PIPE_NO_SUCH_VAR', '{}') + '.csv'\n"
            "open(name, 'w').write('a\\n1\\n')")
    folder = _notebook_project(tmp_path, [("stage:a", made.format("data")),
                                          ("stage:b", "print(open('data.csv').read())")])
    proc = nb2pipe("run", cwd=folder)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (tmp_path / "other").mkdir()
    folder = _notebook_project(tmp_path / "other", [("stage:a", made.format("other")),
                                                    ("stage:b", "print(open('data.csv').read())")])
    proc = nb2pipe("run", cwd=folder)
    shown = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "Traceback" not in shown
    assert "depends on 'data.csv', which does not exist: no stage declares it" in shown, shown
    assert "b" in shown
