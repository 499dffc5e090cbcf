"""Run one case whole (papermill, top to bottom) and as a pipeline (`nb2pipe convert` + `nb2pipe
run`, and optionally `dvc repro` in a fresh git + DVC repository), and classify the outcome.

Outcomes, from best to worst:
  same       every cell the pipeline runs printed what it printed in the whole run
  refused    convert exited 1 with a message naming a cell (honest: nothing to reproduce wrongly)
  warned     outputs differ, but convert warned
  crashed    the pipeline failed at run time (the message is kept)
  silent     outputs differ and convert said nothing: the one outcome that is never acceptable
  invalid    the notebook itself fails top to bottom (a generator bug, not nb2pipe's)
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from .generate import Case

BIN = Path(sys.executable).parent
ENV_EXTRA = {"MPLBACKEND": "agg", "DVC_NO_ANALYTICS": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1",
             "GIT_AUTHOR_NAME": "adv", "GIT_AUTHOR_EMAIL": "adv@nb2pipe.invalid",
             "GIT_COMMITTER_NAME": "adv", "GIT_COMMITTER_EMAIL": "adv@nb2pipe.invalid"}
ADDRESS = re.compile(r"0x[0-9a-fA-F]{6,}")


@dataclass
class Outcome:
    id: str
    group: str
    engine: str  # "nb2pipe run" or "dvc repro"
    verdict: str
    detail: str = ""
    seconds: float = 0.0
    differences: list[dict] = field(default_factory=list)

    def to_json(self) -> dict:
        return asdict(self)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(ENV_EXTRA)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def _sh(cmd: list[str], cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(cmd, cwd=cwd, env=_env(), capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired as e:
        return subprocess.CompletedProcess(cmd, 124, e.stdout or "", f"timed out after {timeout} s")


def write_case(case: Case, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in case.files:
        (folder / name).write_text(text, encoding="utf-8")
    path = folder / "nb.ipynb"
    nbformat.write(case.notebook(), path)
    return path


def _outputs(nb: nbformat.NotebookNode, scratch: Path) -> dict[str, str]:
    """What each code cell showed, as text, with the run's folder and addresses normalised."""
    shown: dict[str, str] = {}
    for cell in nb.cells:
        if cell.cell_type != "code" or "id" not in cell:
            continue
        parts = []
        for out in cell.get("outputs", []):
            kind = out.get("output_type")
            if kind == "stream" and out.get("name") == "stdout":
                parts.append(out.get("text", ""))
            elif kind in ("execute_result", "display_data"):
                parts.append(out.get("data", {}).get("text/plain", ""))
            elif kind == "error":
                parts.append(f"{out.get('ename')}: {out.get('evalue')}")
        text = "".join(p if isinstance(p, str) else "".join(p) for p in parts)
        text = text.replace(str(scratch.resolve()), "<dir>").replace(str(scratch), "<dir>")
        shown[cell["id"]] = ADDRESS.sub("0x?", text)
    return shown


def run_whole(case: Case, folder: Path) -> tuple[dict[str, str] | None, str]:
    path = write_case(case, folder)
    proc = _sh([str(BIN / "papermill"), "--no-progress-bar", "-k", "python3", "--cwd", str(folder),
                str(path), str(folder / "out.ipynb")], folder)
    if proc.returncode != 0:
        return None, (proc.stderr or proc.stdout)[-1500:]
    return _outputs(nbformat.read(folder / "out.ipynb", as_version=4), folder), ""


def _pipeline_outputs(folder: Path) -> dict[str, str]:
    shown: dict[str, str] = {}
    for executed in sorted((folder / "pipelines" / "nb" / "executed").glob("*.ipynb")):
        shown.update(_outputs(nbformat.read(executed, as_version=4), folder))
    return shown


def run_pipeline(case: Case, folder: Path, engine: str, whole: dict[str, str]) -> Outcome:
    started = time.monotonic()
    write_case(case, folder)
    _sh(["git", "init", "-q"], folder)
    _sh([str(BIN / "dvc"), "init", "-q"], folder)
    convert = _sh([str(BIN / "nb2pipe"), "convert", "nb.ipynb"], folder)
    said = convert.stdout + convert.stderr

    def outcome(verdict: str, detail: str = "", differences=()) -> Outcome:
        return Outcome(case.id, case.group, engine, verdict, detail.strip()[-1500:],
                       round(time.monotonic() - started, 2), list(differences))

    if convert.returncode != 0:
        located = re.search(r"cell \d+", said) is not None
        return outcome("refused" if located else "crashed",
                       said if located else "convert refused without naming a cell:\n" + said)
    if engine == "dvc repro":
        _sh(["git", "add", "-A"], folder)
        _sh(["git", "commit", "-qm", "case"], folder)
        proc = _sh([str(BIN / "dvc"), "repro"], folder, timeout=600)
    else:
        proc = _sh([str(BIN / "nb2pipe"), "run"], folder)
    if proc.returncode != 0:
        return outcome("crashed", proc.stdout[-1000:] + proc.stderr[-1000:])
    got = _pipeline_outputs(folder)
    differences = [{"cell": cell, "notebook": whole[cell], "pipeline": got[cell]}
                   for cell in sorted(got) if cell in whole and got[cell] != whole[cell]]
    if not differences:
        return outcome("same")
    warned = "warning" in said.lower()
    return outcome("warned" if warned else "silent", said if warned else "", differences)


def check(case: Case, root: Path, engines: tuple[str, ...]) -> list[Outcome]:
    base = root.resolve() / case.id.replace("/", "__")
    shutil.rmtree(base, ignore_errors=True)
    whole, problem = run_whole(case, base / "whole")
    if whole is None:
        return [Outcome(case.id, case.group, e, "invalid", problem) for e in engines]
    results = []
    for engine in engines:
        folder = base / engine.split()[0]
        results.append(run_pipeline(case, folder, engine, whole))
    if all(r.verdict == "same" for r in results):
        shutil.rmtree(base, ignore_errors=True)  # keep only what someone must look at
    return results


def as_json(outcomes: list[Outcome]) -> str:
    return json.dumps([o.to_json() for o in outcomes], indent=1, sort_keys=True)
