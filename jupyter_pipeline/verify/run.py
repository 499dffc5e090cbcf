"""Edge: run the notebook whole and as a pipeline in a scratch copy, never touching the user's
files, and compare outputs cell by cell, files written and values handed between stages."""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .. import files
from ..analysis.analyze import Analysis, analyze
from ..errors import AnalysisFailed, Nb2PipeError
from ..runner.kernels import KernelPool, KernelUnavailable
from ..runtime import handoff
from .compare import cell_outputs, first_output_difference, same
from .probes import probed_notebook

_TEXT_FILES = (".csv", ".json", ".txt", ".tsv", ".md", ".yaml", ".yml", ".html")
_SKIP_COPY = shutil.ignore_patterns(".git", ".dvc", "pipelines", "dvc.yaml", "dvc.lock",
                                    ".ipynb_checkpoints", "__pycache__", ".venv", ".envs")


@dataclass
class StageVerdict:
    stage: str
    differences: list[str] = field(default_factory=list)

    @property
    def same(self) -> bool:
        return not self.differences


@dataclass
class VerifyResult:
    notebook: str
    stages: list[StageVerdict]
    problem: str | None = None  # a run that failed outright
    # The analysis's warnings: where the notebook and the pipeline may part (a skipped cell
    # that changes a value, dynamic code...), shown when they do.
    warnings: tuple = ()

    @property
    def ok(self) -> bool:
        return self.problem is None and all(v.same for v in self.stages)


def _run_whole(nb_path: Path, folder: Path, analysis: Analysis, probes: Path,
               kernel: str | None) -> dict:
    import papermill
    from papermill.exceptions import PapermillExecutionError

    raw = json.loads(nb_path.read_text(encoding="utf-8"))
    probed = folder / f".nb2pipe-whole-{nb_path.name}"
    probed.write_text(json.dumps(probed_notebook(raw, analysis.pipeline, str(probes))),
                      encoding="utf-8")
    executed = folder / f".nb2pipe-whole-executed-{nb_path.name}"
    # The kernel is started as the runner starts a stage's (its start-up chatter kept out of
    # the report, a kernel that dies before answering started once more); papermill runs in it.
    pool = KernelPool(workers=1)
    try:
        km = pool.start_checked(probed, folder, kernel, choose="pass '--kernel NAME' to verify",
                                plain=True)
    except KernelUnavailable as exc:
        pool.close()
        raise Nb2PipeError(f"'{nb_path.name}' could not be run top to bottom: {exc}") from None
    try:
        papermill.execute_notebook(str(probed), str(executed), kernel_name=kernel, km=km,
                                   progress_bar=False, log_output=False)
    except PapermillExecutionError as exc:
        if exc.ename == "HandoffError":  # raised by a probe: the notebook ran, a value cannot
            raise Nb2PipeError(f"the pipeline cannot run '{nb_path.name}': {exc.evalue}") \
                from None
        raise Nb2PipeError(
            f"'{nb_path.name}' itself fails when run top to bottom: {exc.ename}: {exc.evalue}. "
            "Fix the notebook first (a pipeline can only match a notebook that runs)") from None
    except Exception as exc:  # noqa: BLE001 - papermill's and nbclient's own types
        if type(exc).__name__ not in ("DeadKernelError", "CellTimeoutError", "RuntimeError"):
            raise
        raise Nb2PipeError(
            f"'{nb_path.name}' did not finish when run top to bottom: the kernel died or stopped "
            f"answering ({type(exc).__name__}: {exc}). Run the notebook on its own to see why "
            "(it may exit the process or run out of memory)") from None
    finally:
        pool.release(km)
        pool.close()
    return json.loads(executed.read_text(encoding="utf-8"))


def verify(path: str, by_headings: int | None = None, kernel: str | None = None,
           jobs: int | None = None) -> VerifyResult:
    from .. import api

    nb_path = Path(path).resolve()
    notebook = files.read_notebook(nb_path)
    analysis = analyze(notebook, by_headings=by_headings)
    if not analysis.ok:
        raise AnalysisFailed(str(path), analysis.errors)
    structure = {}
    with tempfile.TemporaryDirectory(prefix="nb2pipe-verify-") as tmp:
        root = Path(tmp)
        whole = Path(shutil.copytree(nb_path.parent, root / "whole", ignore=_SKIP_COPY))
        pipe = Path(shutil.copytree(nb_path.parent, root / "pipe", ignore=_SKIP_COPY))
        executed_whole = _run_whole(whole / nb_path.name, whole, analysis, root / "probes",
                                    kernel)
        converted = api.convert(pipe / nb_path.name, pipe, by_headings, kernel=kernel)
        result = api.run(pipe, jobs=jobs)
        base = pipe / "pipelines" / next(iter(
            p.name for p in (pipe / "pipelines").iterdir() if p.is_dir()))
        if not result.ok:
            failed = result.failed[0]
            detail = next((e.detail for e in result.events if e.stage == failed
                           and e.state == "failed"), "")
            return VerifyResult(str(path), [StageVerdict(failed, [f"the stage failed: {detail}"])],
                                problem=f"stage '{failed}' failed in the pipeline: {detail}",
                                warnings=analysis.diagnostics)
        whole_cells = {c.get("id"): c for c in executed_whole["cells"]}
        verdicts = []
        for stage in converted.analysis.pipeline.stages:
            verdict = StageVerdict(stage.name)
            executed = json.loads((base / "executed" / f"{stage.name}.ipynb").read_text(
                encoding="utf-8"))
            for cell in executed["cells"]:
                original = whole_cells.get(cell.get("id"))
                if cell.get("cell_type") != "code" or original is None or \
                        cell.get("id", "").startswith("nb2pipe-"):
                    continue
                diff = first_output_difference(cell_outputs(original.get("outputs", [])),
                                               cell_outputs(cell.get("outputs", [])))
                if diff:
                    index = next(i for i, c in enumerate(notebook.cells)
                                 if c.stable_id == cell.get("id"))
                    verdict.differences.append(f"cell {index} ('{cell['id']}'): {diff}")
            for name in stage.hands_on:
                a = handoff.load(str(root / "probes" / stage.name), name, stand_ins=True)
                b = handoff.load(str(base / "data" / stage.name), name, stand_ins=True)
                problem = same(a, b, structure.get(name, False))
                if problem:
                    verdict.differences.append(f"value '{name}' at the end of the stage: "
                                               f"{problem}")
            for out in stage.outs:
                a, b = whole / out, pipe / out
                if not b.exists():
                    verdict.differences.append(f"file '{out}' was not written")
                elif a.exists() and out.endswith(_TEXT_FILES) and a.read_bytes() != b.read_bytes():
                    verdict.differences.append(f"file '{out}' differs")
            verdicts.append(verdict)
        return VerifyResult(str(path), verdicts, warnings=analysis.diagnostics)
