"""Run a notebook whole and as a pipeline, and compare what they produce.

The whole run is verify's: the notebook itself, top to bottom with papermill, with one probe cell
added at the end of each stage that saves the values the stage hands on (with nb2pipe's own
runtime, so both sides are stored the same way). Values and files are judged by verify's own
comparison (jupyter_pipeline.verify.stage_verdicts): one oracle for verify and these tests.
The pipeline run is `nb2pipe convert` + real `dvc repro` in a fresh git + DVC repository.
Both run on copies; the user's folder is never touched.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jupyter_pipeline.analysis.analyze import Analysis
from jupyter_pipeline.verify import kernel_values, stage_verdicts, whole

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


AGREES = "the pipeline computes what the notebook computes"  # what `nb2pipe verify` says


def verify_cells(folder: Path, cells: list[tuple[str, str]]) -> str:
    """`nb2pipe verify` of a notebook of `cells` ((tag, source) pairs) written to
    `folder`/nb.ipynb: what it printed."""
    from tests.nbbuild import notebook

    (folder / "nb.ipynb").write_text(json.dumps(notebook(cells)), encoding="utf-8")
    proc = run([str(BIN / "nb2pipe"), "verify", "nb.ipynb"], folder, check=False)
    return proc.stdout + proc.stderr


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
    """Run the notebook top to bottom, saving each stage's hand-ons into probes/<stage>: verify's
    own top-to-bottom run (the executed notebook goes beside `probes`)."""
    whole.run_whole(whole.WholeRun(notebook, probes, probes.with_name(f"{probes.name}.ipynb")),
                    analysis.pipeline, kernel)


@dataclass
class Difference:
    stage: str
    name: str
    detail: str

    def __str__(self) -> str:
        return f"stage '{self.stage}', {self.name}: {self.detail}"


def compare_values(analysis: Analysis, probes: Path, pipeline_data: Path, mode: str,
                   kernel: str | None = None) -> list[Difference]:
    """verify's verdict on every handed-on value (one oracle), judged in the kernel's
    environment as verify judges them; mode 'structure' for notebooks with unseeded
    randomness that the tests run whole only once."""
    requests = [(s.name, s.hands_on, [probes / s.name], pipeline_data / s.name)
                for s in analysis.pipeline.stages if s.hands_on]
    return [Difference(stage, where, v.difference) for stage, _, where, v in
            kernel_values.judge_values(kernel_values.kernel_python(kernel), requests,
                                       structure_only=(mode == "structure"))
            if v.difference]


def compare_files(analysis: Analysis, whole_dir: Path, pipe_dir: Path) -> list[str]:
    """verify's verdict on every file a stage declares (one oracle)."""
    return [str(Difference(stage.name, where, v.difference))
            for stage in analysis.pipeline.stages
            for where, v in stage_verdicts.file_verdicts(stage, [whole_dir], pipe_dir)
            if v.difference]


def ran_stages(output: str) -> list[str]:
    return [line.split("'")[1] for line in output.splitlines()
            if line.startswith("Running stage '")]


def exp_show(folder: Path) -> Any:
    return json.loads(run([str(BIN / "dvc"), "exp", "show", "--json"], folder).stdout)


def candies_copy(folder: Path, into: Path) -> Path:
    """kale-candies with a bag of a billion candies instead of 20: each kid draws an unseeded
    number of them, and with 20 the notebook's two whole runs draw the same 1 time in 20, when
    verify (rightly) cannot tell the notebook's own variation from a difference. The notebook
    is otherwise the corpus's own."""
    copy = into / folder.name
    shutil.copytree(folder, copy)
    nb = copy / "candies_sharing.ipynb"
    text = nb.read_text(encoding="utf-8")
    assert '"CANDIES = 20"' in text, "the corpus notebook changed: update candies_copy"
    nb.write_text(text.replace('"CANDIES = 20"', '"CANDIES = 1000000000"'), encoding="utf-8")
    return copy
