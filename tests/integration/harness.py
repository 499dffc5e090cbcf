"""Run a notebook whole and as a pipeline, and compare what they produce.

The whole run is the notebook itself, top to bottom with papermill, with one probe cell added at
the end of each stage that saves the values the stage hands on (with nb2pipe's own runtime, so
both sides are stored the same way). The pipeline run is `nb2pipe convert` + real `dvc repro` in
a fresh git + DVC repository. Both run on copies; the user's folder is never touched.
"""

from __future__ import annotations

import json
import math
import os
import pickle
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from jupyter_pipeline.analysis.analyze import Analysis
from jupyter_pipeline.runtime import handoff

BIN = Path(sys.executable).parent
GIT_ENV = {
    "GIT_AUTHOR_NAME": "nb2pipe tests", "GIT_AUTHOR_EMAIL": "tests@nb2pipe.invalid",
    "GIT_COMMITTER_NAME": "nb2pipe tests", "GIT_COMMITTER_EMAIL": "tests@nb2pipe.invalid",
}


def env() -> dict[str, str]:
    e = dict(os.environ)
    e["PATH"] = f"{BIN}{os.pathsep}{e.get('PATH', '')}"
    e.update(GIT_ENV)
    e.setdefault("DVC_NO_ANALYTICS", "1")
    e["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    return e


def run(cmd: list[str], cwd: Path, check: bool = True, timeout: int = 900
        ) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, cwd=cwd, env=env(), capture_output=True, text=True,
                          timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed in {cwd} (exit {proc.returncode}):\n"
                             f"{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
    return proc


def copy_folder(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(
        ".ipynb_checkpoints", "pipelines", "dvc.yaml", "dvc.lock", "params.yaml", ".dvc", ".git",
        "*.pyc", "__pycache__"))
    return dst


def make_repo(folder: Path) -> None:
    run(["git", "init", "-q"], folder)
    run([str(BIN / "dvc"), "init", "-q"], folder)
    run([str(BIN / "dvc"), "config", "core.autostage", "false"], folder)


def commit_all(folder: Path, message: str) -> None:
    run(["git", "add", "-A"], folder)
    run(["git", "commit", "-qm", message, "--allow-empty"], folder)


def run_whole(notebook: Path, analysis: Analysis, probes: Path, kernel: str | None) -> None:
    """Run the notebook top to bottom, saving each stage's hand-ons into probes/<stage>."""
    nb = nbformat.read(notebook, as_version=4)
    stages = analysis.pipeline.stages
    firsts = {s.cells[0]: s for s in stages}
    cells = []
    previous = None
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and index in firsts and previous is not None:
            cells.append(_probe(previous, probes))
        if cell.cell_type == "code" and index in firsts:
            previous = firsts[index]
        cells.append(cell)
    if previous is not None:
        cells.append(_probe(previous, probes))
    nb.cells = cells
    for c in nb.cells:
        c.pop("id", None)
    nb.nbformat_minor = 4
    probed = notebook.with_name(f"_probed_{notebook.name}")
    nbformat.write(nb, probed)
    cmd = [str(BIN / "papermill"), "--cwd", str(notebook.parent), str(probed),
           str(notebook.with_name(f"_whole_{notebook.name}")), "--no-progress-bar"]
    if kernel:
        cmd += ["-k", kernel]
    run(cmd, notebook.parent)
    probed.unlink()


def _probe(stage, probes: Path):
    names = ", ".join(f'"{n}": {n}' for n in stage.hands_on)
    src = ("from jupyter_pipeline.runtime import handoff as _nb2pipe_probe\n"
           f'_nb2pipe_probe.save(r"{probes / stage.name}", {{{names}}}, stage="{stage.name}")')
    return nbformat.v4.new_code_cell(src)


@dataclass
class Difference:
    stage: str
    name: str
    detail: str

    def __str__(self) -> str:
        return f"stage '{self.stage}', value '{self.name}': {self.detail}"


def compare_values(analysis: Analysis, probes: Path, pipeline_data: Path, mode: str
                   ) -> list[Difference]:
    diffs = []
    for stage in analysis.pipeline.stages:
        for name in stage.hands_on:
            whole = handoff.load(str(probes / stage.name), name)
            piped = handoff.load(str(pipeline_data / stage.name), name)
            problem = same(whole, piped, structure_only=(mode == "structure"))
            if problem:
                diffs.append(Difference(stage.name, name, problem))
    return diffs


def same(a: Any, b: Any, structure_only: bool = False) -> str | None:
    """None when equal (or of the same structure); else a short description of the difference."""
    if type(a) is not type(b):
        return f"type {type(a).__name__} != {type(b).__name__}"
    mod = type(a).__module__
    if mod.startswith("pandas"):
        if hasattr(a, "columns") and list(a.columns) != list(b.columns):
            return f"columns {list(a.columns)} != {list(b.columns)}"
        if a.shape != b.shape:
            return f"shape {a.shape} != {b.shape}"
        if structure_only:
            return None
        if not a.equals(b):
            return "values differ"
        if hasattr(a, "dtypes") and list(getattr(a.dtypes, "values", [a.dtypes])) != list(
                getattr(b.dtypes, "values", [b.dtypes])):
            return "dtypes differ"
        return None
    if mod == "numpy" and hasattr(a, "shape"):
        import numpy as np

        if a.shape != b.shape or a.dtype != b.dtype:
            return f"shape/dtype {a.shape}/{a.dtype} != {b.shape}/{b.dtype}"
        if not structure_only and not np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"):
            return "array values differ"
        return None
    if isinstance(a, float):
        if structure_only or a == b or (math.isnan(a) and math.isnan(b)):
            return None
        return f"{a!r} != {b!r}"
    if isinstance(a, (list, tuple)):
        if len(a) != len(b):
            return f"length {len(a)} != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            p = same(x, y, structure_only)
            if p:
                return f"[{i}]: {p}"
        return None
    if isinstance(a, dict):
        if list(a) != list(b):
            return f"keys {list(a)} != {list(b)}"
        for k in a:
            p = same(a[k], b[k], structure_only)
            if p:
                return f"[{k!r}]: {p}"
        return None
    if structure_only:
        return None
    try:
        if a == b:
            return None
    except Exception:  # noqa: BLE001 - objects with odd __eq__ fall through to pickles
        pass
    try:
        if pickle.dumps(a) == pickle.dumps(b):
            return None
    except Exception:  # noqa: BLE001
        pass
    if hasattr(a, "__dict__") and hasattr(b, "__dict__"):
        return same(vars(a), vars(b))
    return f"{a!r} != {b!r}"


TEXT_SUFFIXES = {".csv", ".json", ".txt", ".tsv", ".md", ".yaml", ".yml"}


def compare_files(analysis: Analysis, whole_dir: Path, pipe_dir: Path) -> list[str]:
    problems = []
    for stage in analysis.pipeline.stages:
        for out in stage.outs:
            a, b = whole_dir / out, pipe_dir / out
            if not a.exists():
                problems.append(f"the whole notebook did not write '{out}'")
            elif not b.exists():
                problems.append(f"stage '{stage.name}' did not write '{out}'")
            elif Path(out).suffix in TEXT_SUFFIXES and a.read_bytes() != b.read_bytes():
                problems.append(f"'{out}' differs between the notebook and stage '{stage.name}'")
    return problems


def ran_stages(output: str) -> list[str]:
    return [line.split("'")[1] for line in output.splitlines()
            if line.startswith("Running stage '")]


def exp_show(folder: Path) -> Any:
    return json.loads(run([str(BIN / "dvc"), "exp", "show", "--json"], folder).stdout)
