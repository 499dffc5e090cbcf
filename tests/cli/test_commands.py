"""The commands on good input: convert, show, dag, tag."""

from __future__ import annotations

import json

import nbformat

from .test_bad_input import nb2pipe, write_nb

CELLS = [(None, "# md: ## Load"), ("parameters", "n = 3"), (None, "x = list(range(n))"),
         (None, "# md: ## Double"), ("stage:double", "y = [v * 2 for v in x]"),
         ("stage:report", "print(sum(y))")]


def test_convert_prints_the_stages_and_what_it_wrote(tmp_path):
    write_nb(tmp_path, [("stage:load", "x = [1]")] + CELLS[4:])
    proc = nb2pipe("convert", "nb.ipynb", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    for text in ("stage", "needs", "hands on", "load", "double", "report", "wrote 8 file(s)",
                 "dvc.yaml"):
        assert text in proc.stdout


def test_convert_twice_gives_identical_files_and_writes_nothing_the_second_time(tmp_path):
    write_nb(tmp_path, [("stage:load", "x = [1]")] + CELLS[4:])
    nb2pipe("convert", "nb.ipynb", cwd=tmp_path)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    proc = nb2pipe("convert", "nb.ipynb", cwd=tmp_path)
    assert "nothing to write" in proc.stdout
    assert before == {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}


def test_dry_run_writes_nothing(tmp_path):
    write_nb(tmp_path, [("stage:load", "x = [1]")] + CELLS[4:])
    proc = nb2pipe("convert", "nb.ipynb", "--dry-run", cwd=tmp_path)
    assert proc.returncode == 0 and "would write" in proc.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nb.ipynb"]


def test_output_elsewhere_sets_wdir(tmp_path):
    (tmp_path / "nbs").mkdir()
    write_nb(tmp_path / "nbs", [("stage:load", "x = [1]")] + CELLS[4:])
    proc = nb2pipe("convert", "nbs/nb.ipynb", "-o", "pipe", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    text = (tmp_path / "pipe" / "dvc.yaml").read_text()
    assert "wdir: ../nbs" in text and "../pipe/pipelines/nb/load.ipynb" in text


def test_removing_a_stage_removes_its_generated_files(tmp_path):
    write_nb(tmp_path, [("stage:load", "x = [1]")] + CELLS[4:])
    nb2pipe("convert", "nb.ipynb", cwd=tmp_path)
    write_nb(tmp_path, [("stage:load", "x = [1]")] + CELLS[4:5])
    proc = nb2pipe("convert", "nb.ipynb", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert not (tmp_path / "pipelines" / "nb" / "report.ipynb").exists()
    assert "report:" not in (tmp_path / "dvc.yaml").read_text()


def test_show_json_is_machine_readable(tmp_path):
    write_nb(tmp_path, [("stage:load", "x = [1]")] + CELLS[4:])
    proc = nb2pipe("show", "nb.ipynb", "--json", cwd=tmp_path)
    data = json.loads(proc.stdout)
    assert [s["name"] for s in data["stages"]] == ["load", "double", "report"]
    assert data["stages"][1]["needs"] == [{"name": "x", "from": "load"}]


def test_dag_formats_on_notebook_and_folder(tmp_path):
    write_nb(tmp_path, [("stage:load", "x = [1]")] + CELLS[4:])
    ascii_ = nb2pipe("dag", "nb.ipynb", cwd=tmp_path).stdout
    assert "double  <- load: x" in ascii_
    assert "s_load -->|\"x\"| s_double" in nb2pipe("dag", "nb.ipynb", "--format", "mermaid",
                                                    cwd=tmp_path).stdout
    assert '"load" -> "double" [label="x"]' in nb2pipe("dag", "nb.ipynb", "--format", "dot",
                                                       cwd=tmp_path).stdout
    nb2pipe("convert", "nb.ipynb", cwd=tmp_path)
    folder = nb2pipe("dag", ".", cwd=tmp_path).stdout
    assert "double" in folder and "load" in folder and "report" in folder


def test_tag_by_headings_writes_stage_tags_and_keeps_everything_else(tmp_path):
    cells = [(None, "# md: ## Load data"), ("keep-me", "x = 1"), (None, "y = 2"),
             (None, "# md: ## Plot"), (None, "print(x, y)")]
    path = write_nb(tmp_path, cells)
    nb = nbformat.read(path, as_version=4)
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="hi\n")]
    nb.cells[1].metadata["custom"] = {"a": 1}
    nbformat.write(nb, path)
    before = json.loads(path.read_text())
    proc = nb2pipe("tag", "nb.ipynb", "--by-headings", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    after = json.loads(path.read_text())
    assert after["cells"][1]["metadata"]["tags"] == ["keep-me", "stage:load-data"]
    assert after["cells"][4]["metadata"]["tags"] == ["stage:plot"]
    for cell in after["cells"]:
        cell["metadata"].pop("tags", None)
    for cell in before["cells"]:
        cell["metadata"].pop("tags", None)
    assert after == before, "only the tags changed"
    shown = json.loads(nb2pipe("show", "nb.ipynb", "--json", cwd=tmp_path).stdout)
    assert [s["name"] for s in shown["stages"]] == ["load-data", "plot"]


def test_convert_by_headings_level_three(tmp_path):
    write_nb(tmp_path, [(None, "# md: ### One"), (None, "x = 1"), (None, "# md: ### Two"),
                        (None, "print(x)")])
    proc = nb2pipe("convert", "nb.ipynb", "--by-headings=3", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "one:" in (tmp_path / "dvc.yaml").read_text()


def test_generated_notebooks_are_valid(tmp_path):
    write_nb(tmp_path, [("stage:load", "x = [1]")] + CELLS[1:])
    nb2pipe("convert", "nb.ipynb", cwd=tmp_path)
    for path in (tmp_path / "pipelines").rglob("*.ipynb"):
        nbformat.validate(nbformat.read(path, as_version=4))


def test_tag_keeps_every_other_byte_of_a_notebook_in_another_json_style(tmp_path):
    from tests.nbbuild import notebook as build

    nb = build([(None, "# md: ## Load"), (None, "x = 'é'")])
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(nb, indent=2, ensure_ascii=True) + "\n", encoding="utf-8")
    before = path.read_text()
    assert nb2pipe("tag", "nb.ipynb", "--by-headings", cwd=tmp_path).returncode == 0
    after = path.read_text()
    data = json.loads(after)
    assert data["cells"][1]["metadata"]["tags"] == ["stage:load"]
    assert json.dumps(data, indent=2, ensure_ascii=True) + "\n" == after, "same JSON style"
    del data["cells"][1]["metadata"]["tags"]
    assert json.dumps(data, indent=2, ensure_ascii=True) + "\n" == before, "only tags added"
