"""Files written by shell lines, logging handlers and paths built in variables are outs of the
writing stage, so readers run after them (issue 10 item 7); a file written only on some paths is
no out DVC would demand, and its reader still runs after the writer. One behaviour per test."""

from __future__ import annotations

import pytest

from jupyter_pipeline.analysis.shell import shell_writes

from .helpers import run, stages

WRITERS = {
    "shell-redirect": "!mkdir -p out && echo hi > out/a.txt",
    "shell-append": "!python -c 'print(1)' >> out/a.txt 2>&1",
    "shell-capture": "listing = !ls > out/a.txt",
    "bash-cell": "%%bash\nmkdir -p out\necho hi > out/a.txt",
    "wget": "!wget -q -O out/a.txt http://example.invalid/a",
    "os-path-join": "import os\np = os.path.join('out', 'a.txt')\nopen(p, 'w').write('x')",
    "pathlib": "from pathlib import Path\nd = Path('out')\n(d / 'a.txt').write_text('x')",
    "file-handler": "import logging\nlogging.getLogger('x').addHandler("
                    "logging.FileHandler('out/a.txt'))",
    "basic-config": "import logging\nlogging.basicConfig(filename='out/a.txt')",
}


@pytest.mark.parametrize("source", WRITERS.values(), ids=WRITERS.keys())
def test_a_file_written_this_way_is_an_out_and_an_input_of_its_reader(source):
    s = stages([("stage:a", source), ("stage:b", "text = open('out/a.txt').read()")])
    assert s["a"].outs == ("out/a.txt",)
    assert [(f.path, f.producer) for f in s["b"].file_inputs] == [("out/a.txt", "a")]
    assert s["b"].data_deps == ()


@pytest.mark.parametrize("source", [
    "try:\n    import openpyxl\n    open('out.xlsx', 'w').write('x')\nexcept ImportError:\n    pass",
    "flag = False\nif flag:\n    open('out.xlsx', 'w').write('x')",
], ids=["try-import", "if"])
def test_a_file_written_on_some_paths_only_is_no_out_but_orders_its_reader(source):
    s = stages([("stage:a", source), ("stage:b", "import os\nok = os.path.exists('out.xlsx')\n"
                                                "t = open('out.xlsx').read() if ok else ''")])
    assert s["a"].outs == ()
    assert s["b"].data_deps == () and s["b"].file_inputs == ()
    assert s["b"].after == ("a",)


def test_a_file_written_in_a_loop_is_still_an_out():
    s = stages([("stage:a", "for i in range(2):\n    open('out.txt', 'a').write(str(i))"),
                ("stage:b", "t = open('out.txt').read()")])
    assert s["a"].outs == ("out.txt",)


@pytest.mark.parametrize("command,written", [
    ("echo $X > $Y", ()),
    ("cat a.txt | tee b.txt", ("b.txt",)),
    ("cp data/a.csv data/b.csv", ("data/b.csv",)),
    ("curl -o a.csv http://x", ("a.csv",)),
    ("ls -l", ()),
    ("echo 'unbalanced", ()),
])
def test_shell_writes_are_literal_paths_only(command, written):
    assert shell_writes(command) == written


@pytest.mark.parametrize("delete", ["import os\nos.remove('t.txt')",
                                    "from pathlib import Path\nPath('t.txt').unlink()",
                                    "import os\nos.unlink('t.txt')"])
def test_deleting_a_file_another_stage_writes_is_refused(delete):
    a = run([("stage:a", "open('t.txt', 'w').write('x')"), ("stage:b", delete),
             ("stage:c", "import os\nprint(os.path.exists('t.txt'))")])
    found = [d for d in a.diagnostics if d.code == "file-deleted-by-another-stage"]
    assert found and found[0].is_error and found[0].cell == 1, a.diagnostics  # 0-based: cell 2
    assert "'t.txt' is deleted here, and stage 'a' (cell 1) writes it" in found[0].message


def test_a_file_a_stage_writes_and_deletes_itself_is_no_output():
    s = stages([("stage:a", "import os\nopen('t.txt', 'w').write('x')\nos.remove('t.txt')"),
                ("stage:b", "import os\nprint(os.path.exists('t.txt'))")])
    assert "t.txt" not in s["a"].outs
    assert "a" in s["b"].after or "t.txt" in s["b"].file_inputs


def test_removing_from_a_list_is_no_file_deletion():
    a = run([("stage:a", "open('age', 'w').write('x')\ncols = ['age']"),
             ("stage:b", "cols.remove('age')")])
    assert not [d for d in a.diagnostics if d.code == "file-deleted-by-another-stage"]
