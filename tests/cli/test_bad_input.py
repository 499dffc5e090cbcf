"""Bad input: exit 1, one clear message (file, cell, line, what to do), no traceback, nothing
written. Each case runs the real command in a subprocess."""

from __future__ import annotations

import json

import nbformat
import pytest

from .helpers import assert_refused, assert_usage_error, nb2pipe, ok, snapshot, write_nb


def refused_convert(tmp_path, *args: str, expected: tuple[str, ...]) -> None:
    before = snapshot(tmp_path)
    proc = nb2pipe("convert", "nb.ipynb", *args, cwd=tmp_path)
    assert_refused(proc, *expected)
    assert snapshot(tmp_path) == before, "nothing written"
    assert not (tmp_path / "dvc.yaml").exists() and not (tmp_path / "pipelines").exists()


FILES = {
    "not-json": (b"{not json", ("'nb.ipynb' is not valid JSON at line 1, column 2",
                                "Pass an .ipynb file saved by Jupyter")),
    "not-utf8": (b"\xff\xfe{}", ("'nb.ipynb' is not valid JSON", "Pass an .ipynb file")),
    "json-object": (b'{"hello": 1}', ("'nb.ipynb' is JSON but not a Jupyter notebook",
                                      "Pass an .ipynb file saved by Jupyter")),
    "json-list": (b"[1, 2]", ("'nb.ipynb' is JSON but not a Jupyter notebook",
                              "Pass an .ipynb file saved by Jupyter")),
    "nbformat-3": (nbformat.writes(nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("x = 1")]), version=3).encode(),
        ("'nb.ipynb' is in nbformat 3, and nb2pipe reads nbformat 4",
         "jupyter nbconvert --to notebook --nbformat 4 --inplace nb.ipynb")),
}


@pytest.mark.parametrize("content,expected", FILES.values(), ids=FILES.keys())
def test_a_file_that_is_not_a_notebook_is_refused(tmp_path, content, expected):
    (tmp_path / "nb.ipynb").write_bytes(content)
    refused_convert(tmp_path, expected=expected)


def test_nbformat_3_fixture_really_is_version_3():
    assert json.loads(FILES["nbformat-3"][0])["nbformat"] == 3


def test_missing_notebook(tmp_path):
    refused_convert(tmp_path, expected=("'nb.ipynb' does not exist", "Check the path"))


def test_a_folder_given_as_the_notebook(tmp_path):
    (tmp_path / "nb.ipynb").mkdir()
    refused_convert(tmp_path, expected=("'nb.ipynb' is a folder", "Pass a notebook file"))


CELLS = {
    "python-2": ([("stage:a", "x = 1"), ("stage:b", 'y = x\nprint "x"')],
                 ("nb.ipynb, cell 2, line 2: error:",
                  "Did you mean print(...)? This looks like Python 2",
                  "port the cell to Python 3", '    print "x"\n    ^\n')),
    "syntax-error": ([("stage:a", "x = 1\ny = (2,\n")],
                     ("nb.ipynb, cell 1, line 2: error: cannot be parsed",
                      "Fix the syntax in the notebook", "    y = (2,\n        ^\n")),
    "stage-split": ([("stage:a", "x = 1"), ("stage:b", "y = 1"), ("stage:a", "z = 1")],
                    ("nb.ipynb, cell 3: error: stage 'a' starts again",
                     "rename one of them or move the cells together")),
    "unknown-after": ([("stage:a", "x = 1"), (["stage:b", "after:ghost"], "y = 1")],
                      ("nb.ipynb, cell 2: error: 'after:ghost' names no stage",
                       "the stages are: a, b")),
    "invalid-name": ([("stage:Bad Name", "x = 1")],
                     ("nb.ipynb, cell 1: error:", "invalid stage name 'Bad Name'",
                      "for example 'stage:bad-name'")),
    "only-markdown": ([(None, "# md: only words")], ("nb.ipynb: error: has no code cells",
                                                      "Check that this is the notebook you meant")),
    "no-cells": ([], ("nb.ipynb: error: has no code cells", "add the code cells")),
    "needs-later-stage": ([("stage:a", "print(late)"), ("stage:b", "late = 1")],
                          ("nb.ipynb, cell 1, line 1: error: stage 'a' reads 'late'",
                           "first set in the later stage 'b'",
                           "move the cell that sets 'late' before this one")),
}


@pytest.mark.parametrize("cells,expected", CELLS.values(), ids=CELLS.keys())
def test_notebook_problems_are_refused_with_their_place(tmp_path, cells, expected):
    write_nb(tmp_path, cells)
    refused_convert(tmp_path, expected=("nb2pipe: cannot convert 'nb.ipynb':", *expected,
                                        "Nothing was written."))


@pytest.mark.parametrize("command", [["show"], ["show", "--json"], ["dag"],
                                     ["tag", "--by-headings"]])
def test_other_commands_refuse_bad_notebooks_the_same_way(tmp_path, command):
    (tmp_path / "nb.ipynb").write_text("{not json", encoding="utf-8")
    proc = nb2pipe(command[0], "nb.ipynb", *command[1:], cwd=tmp_path)
    assert_refused(proc, "'nb.ipynb' is not valid JSON")
    assert (tmp_path / "nb.ipynb").read_text(encoding="utf-8") == "{not json"


def test_dag_refuses_a_notebook_with_errors(tmp_path):
    write_nb(tmp_path, [("stage:a", "x = 1"), (["stage:b", "after:ghost"], "y = 1")])
    assert_refused(nb2pipe("dag", "nb.ipynb", cwd=tmp_path),
                   "nb.ipynb, cell 2: error: 'after:ghost' names no stage")


def test_output_folder_below_a_regular_file(tmp_path):
    # We run as root, so chmod would not stop a write: a file where a folder must be does.
    write_nb(tmp_path, [("stage:a", "x = 1")])
    (tmp_path / "afile").write_text("I am a file", encoding="utf-8")
    refused_convert(tmp_path, "-o", "afile/out",
                    expected=("'afile/out' cannot be created: 'afile' is a file",
                              "Choose another folder with -o"))


def test_output_folder_that_is_a_file(tmp_path):
    write_nb(tmp_path, [("stage:a", "x = 1")])
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    refused_convert(tmp_path, "-o", "afile",
                    expected=("'afile' is a file, not a folder", "Choose a folder with -o"))


@pytest.mark.parametrize("out", ["/proc/nb2pipe-out", "/proc/self/fd/nb2pipe-out",
                                 "/proc/1/fdinfo/nb2pipe/out"])
def test_output_folder_under_proc(tmp_path, out):
    write_nb(tmp_path, [("stage:a", "x = 1")])
    refused_convert(tmp_path, "-o", out,
                    expected=(f"'{out}' cannot be", "Choose another folder with -o"))


@pytest.mark.parametrize("in_the_way", ["dvc.yaml", "params.yaml", "pipelines/nb/manifest.json",
                                        "pipelines/nb/a.ipynb"])
def test_a_folder_where_a_generated_file_goes(tmp_path, in_the_way):
    write_nb(tmp_path, [("parameters", "n = 1"), ("stage:a", "x = n")])
    (tmp_path / in_the_way).mkdir(parents=True)
    before = snapshot(tmp_path)
    assert_refused(nb2pipe("convert", "nb.ipynb", cwd=tmp_path),
                   f"'{in_the_way}' is in the way", "Move it away", "Nothing was written")
    assert snapshot(tmp_path) == before


def test_a_file_where_the_pipelines_folder_goes(tmp_path):
    write_nb(tmp_path, [("stage:a", "x = 1")])
    (tmp_path / "pipelines").write_text("mine", encoding="utf-8")
    before = snapshot(tmp_path)
    assert_refused(nb2pipe("convert", "nb.ipynb", cwd=tmp_path),
                   "'pipelines' is a file where nb2pipe needs a folder", "Move it away")
    assert snapshot(tmp_path) == before


EXISTING_DVC = {
    "not-utf8": (b"stages:\n  x:\n    cmd: caf\xe9\n", ("'dvc.yaml' is not UTF-8 text",
                                                       "Save it as UTF-8")),
    "not-yaml": (b"stages: [\n", ("'dvc.yaml' is not valid YAML", "Fix it")),
    "name-clash": (b"stages:\n  a:\n    cmd: echo mine\n",
                   ("'dvc.yaml' already has a stage 'a' that this notebook did not generate",
                    "Rename the stage in the notebook")),
}


@pytest.mark.parametrize("content,expected", EXISTING_DVC.values(), ids=EXISTING_DVC.keys())
def test_an_existing_dvc_yaml_that_cannot_be_merged(tmp_path, content, expected):
    write_nb(tmp_path, [("stage:a", "x = 1")])
    (tmp_path / "dvc.yaml").write_bytes(content)
    before = snapshot(tmp_path)
    assert_refused(nb2pipe("convert", "nb.ipynb", cwd=tmp_path), *expected)
    assert snapshot(tmp_path) == before


BROKEN_DVC = {
    "not-yaml": ("stages: [\n", "'dvc.yaml' is not valid YAML at line 2"),
    "a-list": ("- a\n", "'dvc.yaml' has no 'stages' mapping"),
    "stage-without-body": ("stages:\n  a:\n", "'dvc.yaml' has no 'stages' mapping"),
    "empty": ("", "'dvc.yaml' has no 'stages' mapping"),
}


@pytest.mark.parametrize("content,expected", BROKEN_DVC.values(), ids=BROKEN_DVC.keys())
def test_dag_of_a_folder_with_a_broken_dvc_yaml(tmp_path, content, expected):
    (tmp_path / "dvc.yaml").write_text(content, encoding="utf-8")
    assert_refused(nb2pipe("dag", ".", cwd=tmp_path), expected, "Fix it")


def test_dag_of_a_folder_without_dvc_yaml(tmp_path):
    assert_refused(nb2pipe("dag", ".", cwd=tmp_path), "'.' has no dvc.yaml",
                   "Run 'nb2pipe convert NOTEBOOK' first")


def test_tag_without_headings_at_that_level(tmp_path):
    path = write_nb(tmp_path, [(None, "# md: ## Load"), (None, "x = 1")])
    before = path.read_bytes()
    assert_refused(nb2pipe("tag", "nb.ipynb", "--by-headings=4", cwd=tmp_path),
                   "'nb.ipynb' has no level-4 markdown headings",
                   "Its headings before code cells are at level 2: try --by-headings=2")
    assert path.read_bytes() == before


@pytest.mark.parametrize("command", ["convert", "show"])
def test_by_headings_at_a_level_the_notebook_lacks_is_refused(tmp_path, command):
    path = write_nb(tmp_path, [(None, "# md: # Title\n### Load"), (None, "x = 1")])
    before = snapshot(tmp_path)
    proc = nb2pipe(command, "nb.ipynb", "--by-headings=5", cwd=tmp_path)
    assert proc.returncode == 1 and "Traceback" not in proc.stdout + proc.stderr
    assert "nb.ipynb" in proc.stdout + proc.stderr
    assert "has no level-5 markdown headings before code cells" in proc.stdout + proc.stderr
    assert "at levels 1, 3: try --by-headings=1" in proc.stdout + proc.stderr
    assert snapshot(tmp_path) == before and path.exists()


def test_by_headings_on_a_notebook_without_headings_says_how_to_get_one_stage(tmp_path):
    write_nb(tmp_path, [(None, "print('hello')")])
    proc = nb2pipe("convert", "nb.ipynb", "--by-headings", cwd=tmp_path)
    assert_refused(proc, "has no level-2 markdown headings before code cells; nor at any other "
                   "level", "leave out --by-headings for a pipeline of one stage")
    assert (proc.stdout + proc.stderr).count("markdown headings") == 1
    assert nb2pipe("convert", "nb.ipynb", cwd=tmp_path).returncode == 0


class TestHandEditedFiles:
    CELLS = [("stage:a", "x = 1"), ("stage:b", "print(x)")]

    def convert_then_edit(self, tmp_path):
        write_nb(tmp_path, self.CELLS)
        ok("convert", "nb.ipynb", cwd=tmp_path)
        script = tmp_path / "pipelines" / "nb" / "b.py"
        script.write_text(script.read_text(encoding="utf-8") + "print('my fix')\n",
                          encoding="utf-8")
        return script

    def test_refused_without_force_naming_the_file(self, tmp_path):
        script = self.convert_then_edit(tmp_path)
        write_nb(tmp_path, [("stage:a", "x = 2"), ("stage:b", "print(x)")])
        before = snapshot(tmp_path)
        proc = nb2pipe("convert", "nb.ipynb", cwd=tmp_path)
        assert_refused(proc, "'pipelines/nb/b.py' changed since nb2pipe wrote it",
                       "Nothing was written", "Move your changes into the notebook",
                       "--force")
        assert "a.ipynb" not in proc.stderr, "only the edited file is named"
        assert snapshot(tmp_path) == before
        assert "my fix" in script.read_text(encoding="utf-8")

    def test_refused_even_when_the_notebook_did_not_change(self, tmp_path):
        self.convert_then_edit(tmp_path)
        before = snapshot(tmp_path)
        assert_refused(nb2pipe("convert", "nb.ipynb", cwd=tmp_path), "'pipelines/nb/b.py'")
        assert snapshot(tmp_path) == before

    def test_dry_run_reports_it_too(self, tmp_path):
        self.convert_then_edit(tmp_path)
        before = snapshot(tmp_path)
        assert_refused(nb2pipe("convert", "nb.ipynb", "--dry-run", cwd=tmp_path),
                       "'pipelines/nb/b.py'")
        assert snapshot(tmp_path) == before

    def test_force_overwrites_it(self, tmp_path):
        script = self.convert_then_edit(tmp_path)
        proc = ok("convert", "nb.ipynb", "--force", cwd=tmp_path)
        assert "wrote 1 file(s)" in proc.stdout and "pipelines/nb/b.py" in proc.stdout
        assert "my fix" not in script.read_text(encoding="utf-8")
        again = ok("convert", "nb.ipynb", cwd=tmp_path)
        assert "nothing to write" in again.stdout

    def test_an_edited_file_of_a_removed_stage_is_kept(self, tmp_path):
        script = self.convert_then_edit(tmp_path)
        write_nb(tmp_path, self.CELLS[:1])
        before = snapshot(tmp_path)
        assert_refused(nb2pipe("convert", "nb.ipynb", cwd=tmp_path), "'pipelines/nb/b.py'")
        assert snapshot(tmp_path) == before
        ok("convert", "nb.ipynb", "--force", cwd=tmp_path)
        assert not script.exists()


USAGE = {
    "unknown-option": (["convert", "nb.ipynb", "--no-such-option"],
                       "unrecognized arguments: --no-such-option"),
    "no-command": ([], "required: COMMAND"),
    "unknown-command": (["frobnicate"], "invalid choice: 'frobnicate'"),
    "missing-notebook-argument": (["convert"], "required: notebook"),
    "unknown-dag-format": (["dag", "nb.ipynb", "--format", "svg"], "invalid choice: 'svg'"),
    "heading-level-0": (["convert", "nb.ipynb", "--by-headings=0"], "use 1 to 6"),
    "heading-level-7": (["show", "nb.ipynb", "--by-headings=7"], "use 1 to 6"),
    "heading-level-text": (["tag", "nb.ipynb", "--by-headings=two"], "use 1 to 6"),
    "tag-without-by-headings": (["tag", "nb.ipynb"], "needs --by-headings[=LEVEL]"),
}


@pytest.mark.parametrize("args,expected", USAGE.values(), ids=USAGE.keys())
def test_usage_errors_exit_2_and_touch_nothing(tmp_path, args, expected):
    write_nb(tmp_path, [(None, "# md: ## Load"), (None, "x = 1")])
    before = snapshot(tmp_path)
    assert_usage_error(nb2pipe(*args, cwd=tmp_path), expected)
    assert snapshot(tmp_path) == before


def test_an_unexpected_failure_is_one_message_not_a_traceback(tmp_path, monkeypatch, capsys):
    """A bug of ours (or of a tool underneath) still reaches the user as one message saying what
    to do; NB2PIPE_DEBUG=1 shows the traceback for the report."""
    from jupyter_pipeline import api, cli

    def broken(*args, **kwargs):
        raise RuntimeError("something inside broke")

    write_nb(tmp_path, [("stage:a", "x = 1")])
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(api, "convert", broken)
    monkeypatch.delenv("NB2PIPE_DEBUG", raising=False)
    assert cli.main(["convert", "nb.ipynb"]) == 1
    err = capsys.readouterr().err
    assert "failed unexpectedly (RuntimeError: something inside broke)" in err
    assert "NB2PIPE_DEBUG=1" in err and "Traceback" not in err
    monkeypatch.setenv("NB2PIPE_DEBUG", "1")
    with pytest.raises(RuntimeError, match="something inside broke"):
        cli.main(["convert", "nb.ipynb"])
