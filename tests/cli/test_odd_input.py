"""Input nobody writes on purpose but editors and tools can produce: each is one located message
(exit 1), never "failed unexpectedly", and nothing is created."""

from __future__ import annotations

import json

import pytest

from tests.nbbuild import notebook

from .helpers import assert_refused, nb2pipe, snapshot


def _write(folder, cells) -> None:
    # json.dumps spells a lone surrogate as the escape '\ud800', as a browser's JSON does.
    (folder / "nb.ipynb").write_text(json.dumps(notebook(cells)), encoding="utf-8")


@pytest.mark.parametrize("cells,expected", [
    pytest.param([("parameters", "x = '\ud800'"), ("stage:a", "print(x)")],
                 ["cell 1, line 1", "not valid Unicode", r"'\ud800'"], id="surrogate-parameter"),
    pytest.param([("stage:a", "y = 1\n!echo \ud800"), ("stage:b", "print(y)")],
                 ["cell 1, line 2", "not valid Unicode"], id="surrogate-shell-line"),
    pytest.param([("stage:" + "a" * 250, "x = 1"), ("stage:b", "print(x)")],
                 ["names a stage in cell 1 'aaaa", "of 250 characters", "shorter name"],
                 id="stage-name-too-long-for-a-file"),
])
def test_odd_notebooks_are_refused_with_their_place(tmp_path, cells, expected):
    _write(tmp_path, cells)
    before = snapshot(tmp_path)
    proc = nb2pipe("convert", "nb.ipynb", cwd=tmp_path)
    assert "failed unexpectedly" not in proc.stderr
    assert_refused(proc, *expected)
    assert snapshot(tmp_path) == before, "nothing is created, not even pipelines/"


def test_an_f_string_python_cannot_write_back_converts(tmp_path):
    # Python 3.11's ast.unparse fails on a backslash inside an f-string's expression; the
    # analysis once crashed on it (a located message then), now the cell converts.
    _write(tmp_path, [("stage:a", "import pandas as pd\n"
                                  "pd.set_option('display.max_rows', f\"{'\x0c'}\")"),
                      ("stage:b", "print(1)")])
    proc = nb2pipe("convert", "nb.ipynb", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (tmp_path / "dvc.yaml").exists()


def test_a_notebook_nested_100000_deep(tmp_path):
    deep = "[" * 100_000 + "]" * 100_000
    (tmp_path / "nb.ipynb").write_text(
        '{"cells": [], "metadata": {"x": ' + deep + '}, "nbformat": 4, "nbformat_minor": 5}')
    assert_refused(nb2pipe("convert", "nb.ipynb", cwd=tmp_path), "nested too deeply")


def test_metadata_nested_deeper_than_any_tool_writes(tmp_path):
    data = notebook([("stage:a", "x = 1")])
    value: object = 1
    for _ in range(500):  # under json's own limit, over what copying it could survive
        value = [value]
    data["cells"][0]["metadata"]["deep"] = value
    (tmp_path / "nb.ipynb").write_text(json.dumps(data))
    assert_refused(nb2pipe("convert", "nb.ipynb", cwd=tmp_path),
                   "the metadata of cell 1 nested deeper than 100 levels")


def test_user_text_is_quoted_back_literally_never_as_markup(tmp_path):
    """rich turns ':a:' into an emoji and '[bold]' into a style unless told not to."""
    _write(tmp_path, [("stage:a:b", "x = 1")])
    proc = nb2pipe("convert", "nb.ipynb", cwd=tmp_path)
    assert proc.returncode == 1
    assert "'stage:a:b'" in proc.stderr and "\U0001f170" not in proc.stderr, proc.stderr
    _write(tmp_path, [("stage:a", "t = open('[red]x:a:.csv').read()"), ("stage:b", "print(t)")])
    proc = nb2pipe("show", "nb.ipynb", cwd=tmp_path)
    assert "  reads     [red]x:a:.csv" in proc.stdout.splitlines(), proc.stdout


def test_a_generated_stage_notebook_is_refused_naming_the_one_to_open(tmp_path):
    _write(tmp_path, [("stage:make", "numbers = [1]"), ("stage:total", "t = sum(numbers)")])
    assert nb2pipe("convert", "nb.ipynb", cwd=tmp_path).returncode == 0
    stage_nb = "pipelines/nb/total.ipynb"
    before = snapshot(tmp_path)
    proc = nb2pipe("convert", stage_nb, cwd=tmp_path)
    assert_refused(proc, "is the notebook of stage 'total' that nb2pipe generated from "
                         "'nb.ipynb'", "Open 'nb.ipynb'")
    assert snapshot(tmp_path) == before
