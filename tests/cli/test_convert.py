"""`nb2pipe convert` on good input: what it prints, what it writes, what it keeps."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from dvc.schema import MULTI_STAGE_SCHEMA
from voluptuous import Schema

from jupyter_pipeline.export.yaml_text import load_safe

from .helpers import (assert_valid_notebooks, generated_notebooks, nb2pipe, ok, snapshot,
                      write_nb)

THREE = [("stage:load", "x = [1, 2]"), ("stage:double", "y = [v * 2 for v in x]"),
         ("stage:report", "print(sum(y))")]
GENERATED = ["dvc.yaml", "pipelines/nb/double.ipynb", "pipelines/nb/double.py",
             "pipelines/nb/load.ipynb", "pipelines/nb/load.py", "pipelines/nb/manifest.json",
             "pipelines/nb/report.ipynb", "pipelines/nb/report.py"]


def dvc_stages(folder: Path) -> dict:
    data = load_safe((folder / "dvc.yaml").read_text(encoding="utf-8"))
    Schema(MULTI_STAGE_SCHEMA)(data)  # what DVC itself would refuse raises here
    return data["stages"]


def real_dvc_dag(folder: Path) -> str:
    """`dvc dag` in `folder`: DVC itself loads the dvc.yaml (and resolves wdir and deps)."""
    dvc = str(Path(sys.executable).with_name("dvc"))
    subprocess.run([dvc, "init", "--no-scm", "-q"], cwd=folder, check=True, timeout=120)
    proc = subprocess.run([dvc, "dag", "--dot"], cwd=folder, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def listed_files(stdout: str) -> list[str]:
    """The files listed under "wrote N file(s) in ...:" (or "would write")."""
    lines = stdout.splitlines()
    start = next(k for k, ln in enumerate(lines) if " file(s) in " in ln) + 1
    listed = []
    for ln in lines[start:]:
        if not ln.startswith("  "):
            break
        listed.append(ln.strip())
    return listed


def test_convert_prints_the_stages_and_every_file_it_wrote(tmp_path):
    write_nb(tmp_path, THREE)
    proc = ok("convert", "nb.ipynb", cwd=tmp_path)
    lines = proc.stdout.splitlines()
    # A block per stage, cells by the numbers JupyterLab shows.
    assert lines[:7] == ["load  (cell 1)",
                         "  hands on  x",
                         "double  (cell 2)",
                         "  needs     x (from load)",
                         "  hands on  y",
                         "report  (cell 3)",
                         "  needs     y (from double)"]
    assert f"wrote {len(GENERATED)} file(s) in '.':" in lines
    assert listed_files(proc.stdout) == GENERATED
    on_disk = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")
                     if p.is_file() and p.name != "nb.ipynb")
    assert on_disk == GENERATED
    assert proc.stderr == ""
    assert list(dvc_stages(tmp_path)) == ["load", "double", "report"]


def test_the_console_script_is_the_same_command(tmp_path):
    write_nb(tmp_path, THREE)
    script = Path(sys.executable).with_name("nb2pipe")
    proc = subprocess.run([str(script), "convert", "nb.ipynb", "--dry-run"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == nb2pipe("convert", "nb.ipynb", "--dry-run", cwd=tmp_path).stdout


def test_convert_twice_gives_identical_files_and_writes_nothing_the_second_time(tmp_path):
    write_nb(tmp_path, [("parameters", "n = 2")] + THREE)
    ok("convert", "nb.ipynb", cwd=tmp_path)
    first = snapshot(tmp_path)
    proc = ok("convert", "nb.ipynb", cwd=tmp_path)
    assert "'.' is up to date: nothing to write" in proc.stdout
    assert "wrote" not in proc.stdout
    assert snapshot(tmp_path) == first


def test_the_same_notebook_elsewhere_gives_the_same_bytes(tmp_path):
    for name in ("one", "two"):
        write_nb(tmp_path / name, [("parameters", "n = 2")] + THREE)
        ok("convert", "nb.ipynb", cwd=tmp_path / name)
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two")


def test_dry_run_writes_nothing_and_lists_what_it_would_write(tmp_path):
    write_nb(tmp_path, THREE)
    before = snapshot(tmp_path)
    proc = ok("convert", "nb.ipynb", "--dry-run", cwd=tmp_path)
    assert f"would write {len(GENERATED)} file(s) in '.':" in proc.stdout
    assert listed_files(proc.stdout) == GENERATED
    assert "next:" not in proc.stdout
    assert snapshot(tmp_path) == before


def test_dry_run_after_a_change_writes_nothing(tmp_path):
    write_nb(tmp_path, THREE)
    ok("convert", "nb.ipynb", cwd=tmp_path)
    write_nb(tmp_path, THREE[:2])
    before = snapshot(tmp_path)
    proc = ok("convert", "nb.ipynb", "--dry-run", cwd=tmp_path)
    assert "removed pipelines/nb/report.ipynb" in proc.stdout
    assert snapshot(tmp_path) == before


def test_output_elsewhere_sets_wdir_and_keeps_the_notebook_folder_clean(tmp_path):
    write_nb(tmp_path / "nbs", THREE)
    nb_folder = snapshot(tmp_path / "nbs")
    proc = ok("convert", "nbs/nb.ipynb", "-o", "out/pipe", cwd=tmp_path)
    assert "in 'out/pipe'" in proc.stdout
    assert snapshot(tmp_path / "nbs") == nb_folder
    stages = dvc_stages(tmp_path / "out" / "pipe")
    for name, stage in stages.items():
        assert stage["wdir"] == "../../nbs"
        assert stage["cmd"] == [f"nb2pipe exec-stage ../out/pipe/pipelines/nb/{name}.ipynb "
                                f"../out/pipe/pipelines/nb/executed/{name}.ipynb "
                                "--params ../out/pipe/params.yaml"]
        assert stage["meta"]["nb2pipe"]["notebook"] == "nb.ipynb"
    assert stages["double"]["deps"] == ["../out/pipe/pipelines/nb/double.ipynb",
                                        "../out/pipe/pipelines/nb/data/load"]
    assert len(generated_notebooks(tmp_path / "out" / "pipe")) == 3
    dag = real_dvc_dag(tmp_path / "out" / "pipe")
    assert '"load" -> "double";' in dag and '"double" -> "report";' in dag


HANDWRITTEN_DVC = """\
# team pipeline: nb2pipe must keep this comment
stages:
  fetch:  # downloads the raw data
    cmd: echo fetched > raw.csv
    outs:
      - raw.csv
"""
HANDWRITTEN_PARAMS = """\
# shared settings
other:
  lr: 0.1  # tuned by hand
seed: 42
"""


def test_reconvert_keeps_handwritten_stages_and_params_byte_for_byte(tmp_path):
    (tmp_path / "dvc.yaml").write_text(HANDWRITTEN_DVC, encoding="utf-8")
    (tmp_path / "params.yaml").write_text(HANDWRITTEN_PARAMS, encoding="utf-8")
    write_nb(tmp_path, [("parameters", "n = 2")] + THREE[:2])
    ok("convert", "nb.ipynb", cwd=tmp_path)
    first = (tmp_path / "dvc.yaml").read_text(encoding="utf-8")
    assert first.startswith(HANDWRITTEN_DVC)
    assert (tmp_path / "params.yaml").read_text(encoding="utf-8") == \
        HANDWRITTEN_PARAMS + "n: 2\n"

    write_nb(tmp_path, [("parameters", "n = 5\nscale = 0.5")] + THREE[:2] +
             [("stage:report", "print(sum(y) * scale)")])
    proc = ok("convert", "nb.ipynb", cwd=tmp_path)
    assert "pipelines/nb/report.ipynb" in proc.stdout
    second = (tmp_path / "dvc.yaml").read_text(encoding="utf-8")
    assert second.startswith(HANDWRITTEN_DVC), "the hand-written part is kept byte for byte"
    assert second.count("# team pipeline") == 1
    assert list(dvc_stages(tmp_path)) == ["fetch", "load", "double", "report"]
    assert dvc_stages(tmp_path)["report"]["params"] == ["scale"]
    assert (tmp_path / "params.yaml").read_text(encoding="utf-8") == \
        HANDWRITTEN_PARAMS + "n: 5\nscale: 0.5\n"
    assert "fetch" in real_dvc_dag(tmp_path)


def test_reconvert_keeps_a_handwritten_stage_between_and_after_generated_ones(tmp_path):
    write_nb(tmp_path, THREE[:2])
    ok("convert", "nb.ipynb", cwd=tmp_path)
    custom = "  publish:\n    cmd: echo published\n    deps:\n      - raw.csv\n"
    text = (tmp_path / "dvc.yaml").read_text(encoding="utf-8") + custom
    (tmp_path / "dvc.yaml").write_text(text, encoding="utf-8")
    write_nb(tmp_path, THREE)
    ok("convert", "nb.ipynb", cwd=tmp_path)
    after = (tmp_path / "dvc.yaml").read_text(encoding="utf-8")
    assert after.endswith(custom)
    assert list(dvc_stages(tmp_path)) == ["load", "double", "report", "publish"]


def test_removing_a_stage_removes_its_generated_files(tmp_path):
    write_nb(tmp_path, THREE)
    ok("convert", "nb.ipynb", cwd=tmp_path)
    write_nb(tmp_path, THREE[:2])
    proc = ok("convert", "nb.ipynb", cwd=tmp_path)
    for suffix in ("ipynb", "py"):
        assert f"removed pipelines/nb/report.{suffix} (stage no longer in the notebook)" in \
            proc.stdout
        assert not (tmp_path / "pipelines" / "nb" / f"report.{suffix}").exists()
    assert list(dvc_stages(tmp_path)) == ["load", "double"]
    manifest = (tmp_path / "pipelines" / "nb" / "manifest.json").read_text(encoding="utf-8")
    assert "report" not in manifest and "double.ipynb" in manifest
    assert ok("convert", "nb.ipynb", cwd=tmp_path).stdout.count("removed") == 0


def test_renaming_the_notebook_stage_leaves_no_orphans(tmp_path):
    write_nb(tmp_path, THREE)
    ok("convert", "nb.ipynb", cwd=tmp_path)
    write_nb(tmp_path, [("stage:load", "x = [1, 2]"), ("stage:twice", "y = [v * 2 for v in x]"),
                        ("stage:report", "print(sum(y))")])
    ok("convert", "nb.ipynb", cwd=tmp_path)
    assert sorted(p.stem for p in generated_notebooks(tmp_path)) == ["load", "report", "twice"]
    assert list(dvc_stages(tmp_path)) == ["load", "twice", "report"]


def test_kernel_option_names_the_kernel_in_every_stage_notebook(tmp_path):
    write_nb(tmp_path, THREE)
    ok("convert", "nb.ipynb", "--kernel", "my-env", cwd=tmp_path)
    for path in generated_notebooks(tmp_path):
        assert nbformat.read(path, as_version=4).metadata.kernelspec.name == "my-env"


def test_convert_by_headings_level_three(tmp_path):
    write_nb(tmp_path, [(None, "# md: ## Part"), (None, "# md: ### One"), (None, "x = 1"),
                        (None, "# md: ### Two words"), (None, "print(x)")])
    proc = ok("convert", "nb.ipynb", "--by-headings=3", cwd=tmp_path)
    assert "one  (cell 3)" in proc.stdout.splitlines()
    assert "two-words  (cell 5)" in proc.stdout.splitlines()
    assert list(dvc_stages(tmp_path)) == ["one", "two-words"]
    assert json_tags(tmp_path / "nb.ipynb") == [[], [], [], [], []], "convert does not tag"


def json_tags(path: Path) -> list[list[str]]:
    return [c.metadata.get("tags", []) for c in nbformat.read(path, as_version=4).cells]


RICH = [
    (None, "# md: # Analysis\nSome *words*."),
    ("parameters", "n = 3\nname = 'run'"),
    ("stage:prepare", "import math\nxs = [math.sqrt(i) for i in range(n)]"),
    (None, "%time total = sum(xs)"),
    (None, "# md: ## Fit"),
    ("stage:fit", "def scale(v):\n    return v * 2\n\nys = [scale(v) for v in xs]"),
    ("skip", "print('exploring')"),
    (["metrics", "stage:score"], "score = {'total': total, 'n': len(ys)}\nprint(score)"),
]


def test_every_generated_stage_notebook_is_valid_nbformat(tmp_path):
    path = write_nb(tmp_path, RICH)
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(3, nbformat.v4.new_raw_cell("raw text"))
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", text="hi\n")]
    nb.cells[2].execution_count = 4
    nb.cells[2].metadata.update({"collapsed": True, "jupyter": {"source_hidden": True},
                                 "execution": {"iopub.status.busy": "2024-01-01T00:00:00Z"}})
    nbformat.write(nb, path)
    ok("convert", "nb.ipynb", cwd=tmp_path)
    written = generated_notebooks(tmp_path)
    assert [p.stem for p in written] == ["fit", "prepare", "score"]
    assert_valid_notebooks(written)
    prepare = nbformat.read(tmp_path / "pipelines/nb/prepare.ipynb", as_version=4)
    assert "c2" in [c.id for c in prepare.cells], "original cell ids are kept"
    assert all(c.get("outputs", []) == [] for c in prepare.cells if c.cell_type == "code")


@pytest.mark.parametrize("minor", [0, 4])
def test_stage_notebooks_from_an_old_notebook_without_cell_ids_are_valid(tmp_path, minor):
    path = write_nb(tmp_path, THREE)
    raw = nbformat.read(path, as_version=4)
    raw.nbformat_minor = minor
    for cell in raw.cells:
        del cell["id"]
    nbformat.write(raw, path)
    ok("convert", "nb.ipynb", cwd=tmp_path)
    written = generated_notebooks(tmp_path)
    assert len(written) == 3
    assert_valid_notebooks(written)


def test_a_kernel_not_installed_here_is_a_warning_naming_it(tmp_path):
    # VS Code and other editors save kernel names that exist only on the author's machine.
    path = write_nb(tmp_path, THREE)
    nb = nbformat.read(path, as_version=4)
    nb.metadata["kernelspec"]["name"] = "python37364bit8d3b438fb5fc"
    nbformat.write(nb, path)
    proc = ok("convert", "nb.ipynb", cwd=tmp_path)
    assert "the stages run with the kernel 'python37364bit8d3b438fb5fc', which is not " \
           "installed here" in proc.stdout
    assert "Convert again with '--kernel NAME'" in proc.stdout
    assert "not installed" not in ok("convert", "nb.ipynb", "--kernel", "python3",
                                     cwd=tmp_path).stdout
