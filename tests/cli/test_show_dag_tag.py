"""`nb2pipe show`, `dag` and `tag` on good input."""

from __future__ import annotations

import json

import nbformat
import pytest

from .helpers import nb2pipe, ok, snapshot, write_nb

THREE = [("parameters", "n = 2"), ("stage:load", "x = list(range(n))"),
         ("stage:double", "y = [v * 2 for v in x]"), ("stage:report", "print(sum(y))")]


def test_show_prints_the_table_and_writes_nothing(tmp_path):
    write_nb(tmp_path, THREE)
    before = snapshot(tmp_path)
    proc = ok("show", "nb.ipynb", cwd=tmp_path)
    assert proc.stdout.splitlines() == ["load  (cells 1-2)",
                                        "  hands on  x",
                                        "  params    n",
                                        "double  (cell 3)",
                                        "  needs     x (from load)",
                                        "  hands on  y",
                                        "report  (cell 4)",
                                        "  needs     y (from double)"]
    assert snapshot(tmp_path) == before


def test_show_json_is_valid_json_with_stages_and_needs(tmp_path):
    write_nb(tmp_path, THREE)
    proc = ok("show", "nb.ipynb", "--json", cwd=tmp_path)
    data = json.loads(proc.stdout)
    assert data["ok"] is True and data["notebook"] == "nb.ipynb"
    assert [s["name"] for s in data["stages"]] == ["load", "double", "report"]
    assert [s["needs"] for s in data["stages"]] == [
        [], [{"name": "x", "from": "load"}], [{"name": "y", "from": "double"}]]
    assert [s["hands_on"] for s in data["stages"]] == [["x"], ["y"], []]
    assert data["params"] == [{"name": "n", "value": 2, "cell": 0, "number": 1}]
    # Cells by index (0-based, as nbformat lists them) and by the number JupyterLab shows.
    assert [(s["cells"], s["cell_numbers"]) for s in data["stages"]] == [
        ([0, 1], [1, 2]), ([2], [3]), ([3], [4])]


def test_show_json_of_a_notebook_with_errors_says_so_and_exits_1(tmp_path):
    write_nb(tmp_path, [("stage:a", "x = (")])
    proc = nb2pipe("show", "nb.ipynb", "--json", cwd=tmp_path)
    assert proc.returncode == 1 and "Traceback" not in proc.stdout + proc.stderr
    data = json.loads(proc.stdout)
    assert data["ok"] is False
    assert [(d["code"], d["cell"], d["number"], d["line"]) for d in data["diagnostics"]
            if d["severity"] == "error"] == [("syntax-error", 0, 1, 1)]


DAG = {
    "ascii": ["load", "double  <- load: x", "report  <- double: y"],
    "mermaid": ["flowchart TD", "  s_load[load]", "  s_double[double]", "  s_report[report]",
                '  s_load -->|"x"| s_double', '  s_double -->|"y"| s_report'],
    "dot": ["digraph pipeline {", "  rankdir=TB;", "  node [shape=box];", '  "load";',
            '  "double";', '  "report";', '  "load" -> "double" [label="x"];',
            '  "double" -> "report" [label="y"];', "}"],
}


@pytest.mark.parametrize("fmt", DAG)
def test_dag_of_the_notebook(tmp_path, fmt):
    write_nb(tmp_path, THREE)
    proc = ok("dag", "nb.ipynb", "--format", fmt, cwd=tmp_path)
    assert proc.stdout.splitlines() == DAG[fmt]


def test_dag_default_format_is_ascii(tmp_path):
    write_nb(tmp_path, THREE)
    assert ok("dag", "nb.ipynb", cwd=tmp_path).stdout.splitlines() == DAG["ascii"]


DAG_DIR = {
    "ascii": ["load", "double  <- load: pipelines/nb/data/load",
              "report  <- double: pipelines/nb/data/double"],
    "mermaid": ["flowchart TD", "  s_load[load]", "  s_double[double]", "  s_report[report]",
                '  s_load -->|"pipelines/nb/data/load"| s_double',
                '  s_double -->|"pipelines/nb/data/double"| s_report'],
    "dot": ["digraph pipeline {", "  rankdir=TB;", "  node [shape=box];", '  "load";',
            '  "double";', '  "report";',
            '  "load" -> "double" [label="pipelines/nb/data/load"];',
            '  "double" -> "report" [label="pipelines/nb/data/double"];', "}"],
}


@pytest.mark.parametrize("fmt", DAG_DIR)
def test_dag_of_the_output_folder(tmp_path, fmt):
    write_nb(tmp_path, THREE)
    ok("convert", "nb.ipynb", cwd=tmp_path)
    proc = ok("dag", ".", "--format", fmt, cwd=tmp_path)
    assert proc.stdout.splitlines() == DAG_DIR[fmt]


def test_dag_of_an_output_folder_elsewhere_shows_the_same_stages(tmp_path):
    write_nb(tmp_path / "nbs", THREE)
    ok("convert", "nbs/nb.ipynb", "-o", "pipe", cwd=tmp_path)
    lines = ok("dag", "pipe", "--format", "dot", cwd=tmp_path).stdout.splitlines()
    assert [ln for ln in lines if "->" in ln] == [
        '  "load" -> "double" [label="../pipe/pipelines/nb/data/load"];',
        '  "double" -> "report" [label="../pipe/pipelines/nb/data/double"];']


def test_dag_of_the_folder_includes_handwritten_stages(tmp_path):
    write_nb(tmp_path, THREE)
    (tmp_path / "dvc.yaml").write_text(
        "stages:\n  fetch:\n    cmd: echo hi > raw.csv\n    outs:\n      - raw.csv\n"
        "  clean:\n    cmd: cp raw.csv clean.csv\n    deps:\n      - raw.csv\n",
        encoding="utf-8")
    ok("convert", "nb.ipynb", cwd=tmp_path)
    lines = ok("dag", ".", cwd=tmp_path).stdout.splitlines()
    assert lines[:2] == ["fetch", "clean   <- fetch: raw.csv"]
    assert lines[2:] == ["load", "double  <- load: pipelines/nb/data/load",
                         "report  <- double: pipelines/nb/data/double"]


HEADED = [(None, "# md: # Title"), (None, "import math"), (None, "# md: ## Load data"),
          ("keep-me", "x = 1"), (None, "y = 2"), (None, "# md: ### Detail"),
          (None, "z = x + y"), (None, "# md: ## Plot it!"), (None, "print(math.pi, z)")]


def decorated(tmp_path):
    """A notebook with outputs, execution counts, custom metadata and other tools' tags."""
    path = write_nb(tmp_path, HEADED)
    nb = nbformat.read(path, as_version=4)
    nb.metadata["custom"] = {"owner": "me"}
    nb.cells[3].outputs = [nbformat.v4.new_output("stream", text="hi\n"),
                           nbformat.v4.new_output("execute_result", data={"text/plain": "1"},
                                                  execution_count=3)]
    nb.cells[3].execution_count = 3
    nb.cells[3].metadata["custom"] = {"a": [1, 2]}
    nb.cells[8].metadata["tags"] = ["papermill-other", "hide-input"]
    nbformat.write(nb, path)
    return path


def without_tags(data: dict) -> dict:
    data = json.loads(json.dumps(data))
    for cell in data["cells"]:
        cell["metadata"].pop("tags", None)
    return data


def test_tag_by_headings_writes_stage_tags_and_keeps_everything_else(tmp_path):
    path = decorated(tmp_path)
    before = json.loads(path.read_text(encoding="utf-8"))
    proc = ok("tag", "nb.ipynb", "--by-headings", cwd=tmp_path)
    assert proc.stdout.splitlines() == ["tagged cell 4: stage:load-data",
                                        "tagged cell 9: stage:plot-it"]
    after = json.loads(path.read_text(encoding="utf-8"))
    tags = [c["metadata"].get("tags") for c in after["cells"]]
    assert tags == [None, None, None, ["keep-me", "stage:load-data"], None, None, None, None,
                    ["papermill-other", "hide-input", "stage:plot-it"]]
    assert without_tags(after) == without_tags(before), "only the tags changed"
    nbformat.validate(nbformat.read(path, as_version=4))
    shown = json.loads(ok("show", "nb.ipynb", "--json", cwd=tmp_path).stdout)
    assert [(s["name"], s["cells"]) for s in shown["stages"]] == [
        ("load-data", [1, 3, 4, 6]), ("plot-it", [8])]


def test_tag_twice_changes_nothing_the_second_time(tmp_path):
    path = decorated(tmp_path)
    ok("tag", "nb.ipynb", "--by-headings", cwd=tmp_path)
    once = path.read_bytes()
    ok("tag", "nb.ipynb", "--by-headings", cwd=tmp_path)
    assert path.read_bytes() == once


def test_tag_keeps_the_notebook_json_style_when_nothing_but_tags_changes(tmp_path):
    path = decorated(tmp_path)
    ok("tag", "nb.ipynb", "--by-headings", cwd=tmp_path)
    data = json.loads(path.read_text(encoding="utf-8"))
    for cell in data["cells"]:
        tags = [t for t in cell["metadata"].get("tags", []) if not t.startswith("stage:")]
        if tags:
            cell["metadata"]["tags"] = tags
        else:
            cell["metadata"].pop("tags", None)
    assert json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n" == \
        decorated(tmp_path / "again").read_text(encoding="utf-8")


def test_tag_by_headings_level_three(tmp_path):
    path = decorated(tmp_path)
    proc = ok("tag", "nb.ipynb", "--by-headings=3", cwd=tmp_path)
    assert proc.stdout.splitlines() == ["tagged cell 7: stage:detail"]
    tags = [c.metadata.get("tags") for c in nbformat.read(path, as_version=4).cells]
    assert tags[6] == ["stage:detail"] and tags[3] == ["keep-me"]


def test_tag_dry_run_changes_nothing(tmp_path):
    decorated(tmp_path)
    before = snapshot(tmp_path)
    proc = ok("tag", "nb.ipynb", "--by-headings", "--dry-run", cwd=tmp_path)
    assert proc.stdout.splitlines() == ["would tag cell 4: stage:load-data",
                                        "would tag cell 9: stage:plot-it"]
    assert snapshot(tmp_path) == before


def test_tag_in_another_json_style_keeps_every_other_byte(tmp_path):
    from tests.nbbuild import notebook

    nb = notebook([(None, "# md: ## Load"), (None, "x = 'é'")])
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(nb, indent=2, ensure_ascii=True) + "\n", encoding="utf-8")
    before = path.read_text(encoding="utf-8")
    ok("tag", "nb.ipynb", "--by-headings", cwd=tmp_path)
    after = path.read_text(encoding="utf-8")
    data = json.loads(after)
    assert data["cells"][1]["metadata"]["tags"] == ["stage:load"]
    assert json.dumps(data, indent=2, ensure_ascii=True) + "\n" == after, "same JSON style"
    del data["cells"][1]["metadata"]["tags"]
    assert json.dumps(data, indent=2, ensure_ascii=True) + "\n" == before, "only tags added"


def test_tagged_notebook_converts_like_by_headings(tmp_path):
    decorated(tmp_path / "a")
    decorated(tmp_path / "b")
    ok("tag", "nb.ipynb", "--by-headings", cwd=tmp_path / "a")
    ok("convert", "nb.ipynb", cwd=tmp_path / "a")
    ok("convert", "nb.ipynb", "--by-headings", cwd=tmp_path / "b")
    a = (tmp_path / "a" / "dvc.yaml").read_text(encoding="utf-8")
    assert a == (tmp_path / "b" / "dvc.yaml").read_text(encoding="utf-8")
    assert "load-data:" in a and "plot-it:" in a
