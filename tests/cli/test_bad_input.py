"""Bad input: exit 1, one clear message (file, cell, line, what to do), no traceback, nothing
written. Each case runs the real command in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tests.nbbuild import notebook


def nb2pipe(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jupyter_pipeline.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def write_nb(folder: Path, cells, name: str = "nb.ipynb") -> Path:
    path = folder / name
    path.write_text(json.dumps(notebook(cells)), encoding="utf-8")
    return path


def assert_refused(proc: subprocess.CompletedProcess, folder: Path, *expected: str) -> None:
    assert proc.returncode == 1, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr + proc.stdout
    for text in expected:
        assert text in proc.stderr, (text, proc.stderr)
    assert not (folder / "dvc.yaml").exists()
    assert not (folder / "pipelines").exists()


def test_not_json(tmp_path):
    (tmp_path / "nb.ipynb").write_text("{not json", encoding="utf-8")
    proc = nb2pipe("convert", "nb.ipynb", cwd=tmp_path)
    assert_refused(proc, tmp_path, "'nb.ipynb' is not valid JSON", "line 1")


def test_json_but_not_a_notebook(tmp_path):
    (tmp_path / "nb.ipynb").write_text('{"hello": 1}', encoding="utf-8")
    assert_refused(nb2pipe("convert", "nb.ipynb", cwd=tmp_path), tmp_path,
                   "is JSON but not a Jupyter notebook")


def test_nbformat_3(tmp_path):
    v3 = {"nbformat": 3, "nbformat_minor": 0, "metadata": {},
          "worksheets": [{"cells": [{"cell_type": "code", "input": "x = 1"}]}]}
    (tmp_path / "nb.ipynb").write_text(json.dumps(v3), encoding="utf-8")
    assert_refused(nb2pipe("convert", "nb.ipynb", cwd=tmp_path), tmp_path,
                   "nbformat 3", "jupyter nbconvert --to notebook --nbformat 4")


def test_missing_notebook(tmp_path):
    assert_refused(nb2pipe("convert", "nope.ipynb", cwd=tmp_path), tmp_path,
                   "'nope.ipynb' does not exist")


CASES = {
    "python-2": ([("stage:a", "x = 1"), ("stage:b", 'print "x"')],
                 ["nb.ipynb, cell 1, line 1", "Python 2", 'print "x"', "^"]),
    "syntax-error": ([("stage:a", "x = 1\ny = (2,\n")],
                     ["nb.ipynb, cell 0, line 2", "cannot be parsed"]),
    "stage-split": ([("stage:a", "x = 1"), ("stage:b", "y = 1"), ("stage:a", "z = 1")],
                    ["nb.ipynb, cell 2", "stage 'a' starts again"]),
    "unknown-after": ([("stage:a", "x = 1"), (["stage:b", "after:ghost"], "y = 1")],
                      ["nb.ipynb, cell 1", "'after:ghost' names no stage", "a, b"]),
    "invalid-name": ([("stage:Bad Name", "x = 1")],
                     ["nb.ipynb, cell 0", "invalid stage name", "stage:bad-name"]),
    "no-code": ([(None, "# md: only words")], ["has no code cells"]),
    "needs-later-stage": ([("stage:a", "print(late)"), ("stage:b", "late = 1")],
                          ["nb.ipynb, cell 0, line 1", "'late'", "later stage 'b'"]),
}


@pytest.mark.parametrize("cells,expected", CASES.values(), ids=CASES.keys())
def test_notebook_problems_are_refused_with_their_place(tmp_path, cells, expected):
    write_nb(tmp_path, cells)
    proc = nb2pipe("convert", "nb.ipynb", cwd=tmp_path)
    assert_refused(proc, tmp_path, *expected, "Nothing was written")


def test_output_folder_that_cannot_be_written(tmp_path):
    write_nb(tmp_path, [("stage:a", "x = 1")])
    (tmp_path / "afile").write_text("I am a file", encoding="utf-8")
    proc = nb2pipe("convert", "nb.ipynb", "-o", "afile/out", cwd=tmp_path)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "afile" in proc.stderr and ("not writable" in proc.stderr or "file" in proc.stderr)
    assert (tmp_path / "afile").read_text(encoding="utf-8") == "I am a file"
    assert not (tmp_path / "pipelines").exists()


def test_output_folder_that_is_a_file(tmp_path):
    write_nb(tmp_path, [("stage:a", "x = 1")])
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    proc = nb2pipe("convert", "nb.ipynb", "-o", "afile", cwd=tmp_path)
    assert_refused(proc, tmp_path, "'afile' is a file, not a folder")


def test_hand_edited_generated_file_is_refused_without_force(tmp_path):
    write_nb(tmp_path, [("stage:a", "x = 1"), ("stage:b", "print(x)")])
    assert nb2pipe("convert", "nb.ipynb", cwd=tmp_path).returncode == 0
    script = tmp_path / "pipelines" / "nb" / "b.py"
    script.write_text(script.read_text() + "\nprint('my fix')\n", encoding="utf-8")
    edited = script.read_text()
    write_nb(tmp_path, [("stage:a", "x = 2"), ("stage:b", "print(x)")])
    dvc_before = (tmp_path / "dvc.yaml").read_text()
    a_before = (tmp_path / "pipelines" / "nb" / "a.ipynb").read_text()
    proc = nb2pipe("convert", "nb.ipynb", cwd=tmp_path)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "b.py" in proc.stderr and "--force" in proc.stderr
    assert script.read_text() == edited
    assert (tmp_path / "pipelines" / "nb" / "a.ipynb").read_text() == a_before
    assert (tmp_path / "dvc.yaml").read_text() == dvc_before
    forced = nb2pipe("convert", "nb.ipynb", "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert "my fix" not in script.read_text()


def test_usage_errors_exit_2(tmp_path):
    assert nb2pipe("convert", "--no-such-option", cwd=tmp_path).returncode == 2
    assert nb2pipe(cwd=tmp_path).returncode == 2
