"""JSON shapes shared by `nb2pipe show --json` and the server API. Pure.

Every reply the server sends is declared here as a TypedDict; labextension/src/types.ts mirrors
them interface for interface (`TS_INTERFACES`), and tests/test_wire_contract.py compares the two
field by field (no `from __future__ import annotations` here: TypedDict must see
NotRequired), so a key added on one side only fails a test instead of a user's panel."""

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, NotRequired, TypedDict

from .analysis.analyze import Analysis
from .export.dag import edges_of
from .model.diagnostics import cell_number

if TYPE_CHECKING:  # the record only: wire stays below the modules that read the disk
    from .export.provenance import MetricSource as SourceRecord
    from .stage_status import PipelineStatus


class Diagnostic(TypedDict):
    code: str
    severity: str
    message: str
    cell: int | None  # the cell's index (0-based)
    number: int | None  # the cell's number as JupyterLab shows it (1-based)
    line: int | None
    column: int | None


# `from` is a Python keyword: these take TypedDict's functional form.
Need = TypedDict("Need", {"name": str, "from": str | None})
FileInput = TypedDict("FileInput", {"path": str, "from": str | None})
Edge = TypedDict("Edge", {"from": str, "to": str, "label": str})


class Stage(TypedDict):
    name: str
    cells: list[int]  # the cells' indices (0-based)
    cell_numbers: NotRequired[list[int]]  # their numbers as JupyterLab shows them (1-based)
    cell_ids: list[str]
    needs: list[Need]
    hands_on: list[str]
    params: list[str]
    imports: NotRequired[list[str]]
    definitions: NotRequired[list[str]]
    deps: NotRequired[list[str]]
    file_inputs: list[FileInput]
    outs: list[str]
    after: NotRequired[list[str]]
    metrics: list[str]
    upstream: list[str]


class Param(TypedDict):
    name: str
    value: Any
    cell: int | None
    number: int | None


class DataFile(TypedDict):
    path: str
    md5: str | None


class ParamUsed(TypedDict):
    name: str
    value: Any
    recorded: bool


class MetricSource(TypedDict):
    """Which stages, cells, parameters (with the values dvc.lock recorded) and data files (with
    their DVC hashes) produced a metrics file: the experiment in the workspace."""

    metrics: str
    stage: str
    stages: list[str]
    cells: list[int]
    cell_ids: list[str]
    params: list[ParamUsed]
    data: list[DataFile]


class AnalysisReply(TypedDict):
    notebook: str
    ok: bool
    params: list[Param]
    stages: list[Stage]
    diagnostics: list[Diagnostic]
    edges: list[Edge]
    # A stage notebook nb2pipe generated: the panel refuses to assign or export there.
    generated_from: NotRequired["GeneratedFrom | None"]
    # `nb2pipe show --json`: where each declared metric comes from (export/provenance.py)
    provenance: NotRequired[list[MetricSource]]


class GeneratedFrom(TypedDict):
    notebook: str
    stage: str


class KeptParam(TypedDict):
    """A params.yaml value set outside the notebook, kept by the export."""

    name: str
    value: Any
    notebook_value: Any


class ExportReply(TypedDict):
    written: list[str]
    unchanged: list[str]
    removed: list[str]
    out_dir: str
    dvc_yaml: str
    analysis: AnalysisReply
    kept_params: NotRequired[list[KeptParam]]


class RunStarted(TypedDict):
    run_id: str


class StageRun(TypedDict):
    name: str
    state: str  # waiting, skipped, running, done, failed, cancelled, not started
    seconds: float | None
    cell: str | None  # while it runs: "cell 2/4", "loading inputs"
    output: str | None  # while it runs: the last line it printed
    detail: str | None


class RunFailure(TypedDict):
    stage: str
    message: str
    executed_notebook: str | None
    cell_index: int | None


class RunStatus(TypedDict):
    run_id: str
    state: str  # running, done, failed, cancelled
    stages: list[StageRun]
    message: str | None
    failure: RunFailure | None


class ErrorBody(TypedDict):
    message: str
    diagnostics: NotRequired[list[Diagnostic]]
    paths: NotRequired[list[str]]
    run_id: NotRequired[str]


class StageError(TypedDict):
    cell_id: str | None
    ename: str
    evalue: str


class StageStatus(TypedDict):
    name: str
    state: str
    reason: str
    executed_notebook: str | None
    metrics: list[str]
    plots: list[str]
    error: StageError | None


class PipelineStatusReply(TypedDict):
    notebook: str
    dvc_yaml: str | None
    stages: list[StageStatus]
    message: str | None


class ParamValue(TypedDict):
    name: str
    value: Any


class Experiment(TypedDict):
    """One row of the experiments view: DVC's name and rev ("workspace" for the workspace),
    the pipeline's parameters and every metric DVC shows (column "key" or "file:key")."""

    name: str
    rev: str
    params: dict[str, Any]
    metrics: dict[str, Any]


class ExperimentsReply(TypedDict):
    notebook: str
    dvc_yaml: str | None
    params: list[ParamValue]
    param_columns: list[str]
    metric_columns: list[str]
    experiments: list[Experiment]
    provenance: list[MetricSource]
    message: str | None


# types.ts interface -> the shape here it mirrors (the contract test walks this table).
TS_INTERFACES: dict[str, type] = {
    "IDiagnostic": Diagnostic, "INeed": Need, "IFileInput": FileInput, "IStage": Stage,
    "IEdge": Edge, "IParam": Param, "IAnalysis": AnalysisReply, "IExportResult": ExportReply,
    "IKeptParam": KeptParam, "IDataFile": DataFile, "IParamUsed": ParamUsed,
    "IMetricSource": MetricSource,
    "IRunStarted": RunStarted, "IStageRun": StageRun, "IRunFailure": RunFailure,
    "IRunStatus": RunStatus, "IErrorBody": ErrorBody, "IStageError": StageError,
    "IStageStatus": StageStatus, "IPipelineStatus": PipelineStatusReply,
    "IParamValue": ParamValue, "IExperiment": Experiment, "IExperiments": ExperimentsReply,
}


def analysis_json(analysis: Analysis) -> AnalysisReply:
    p = analysis.pipeline
    ids = {c.index: c.stable_id for c in analysis.notebook.cells}
    return {
        "notebook": p.notebook,
        "ok": analysis.ok,
        "params": [{"name": x.name, "value": x.value, "cell": x.cell,
                    "number": cell_number(x.cell) if x.cell is not None else None}
                   for x in p.params],
        "stages": [
            {
                "name": s.name,
                "cells": list(s.cells),
                "cell_numbers": [cell_number(i) for i in s.cells],
                "cell_ids": [ids[i] for i in s.cells],
                "needs": [{"name": n.name, "from": n.producer} for n in s.needs],
                "hands_on": list(s.hands_on),
                "params": list(s.params),
                "imports": list(s.imports),
                "definitions": [d.name for d in s.definitions],
                "deps": list(s.data_deps),
                "file_inputs": [{"path": f.path, "from": f.producer} for f in s.file_inputs],
                "outs": list(s.outs),
                "after": list(s.after),
                "metrics": list(s.metrics),
                "upstream": list(s.upstream),
            }
            for s in p.stages
        ],
        "diagnostics": [d.to_dict() for d in p.diagnostics],  # type: ignore[misc]
        # A stage notebook nb2pipe generated: the panel refuses to assign or export there.
        "generated_from": _generated(analysis),
        # What flows along each edge of the stage graph: variables, files, "(after)" ordering.
        "edges": [{"from": up, "to": stage, "label": label}
                  for stage, ups in edges_of(p).items() for up, label in ups],
    }


def provenance_json(analysis: Analysis, sources: "Iterable[SourceRecord]") -> list[MetricSource]:
    ids = {c.index: c.stable_id for c in analysis.notebook.cells}
    return [{"metrics": m.metrics, "stage": m.stage, "stages": list(m.stages),
             "cells": list(m.cells), "cell_ids": [ids[i] for i in m.cells],
             "params": [{"name": p.name, "value": p.value, "recorded": p.recorded}
                        for p in m.params],
             "data": [{"path": d.path, "md5": d.md5} for d in m.data]}
            for m in sources]


def status_json(status: "PipelineStatus", notebook: str,
                relative: Callable[[Path], str]) -> PipelineStatusReply:
    """`relative` names a file as the browser does (from the server's root)."""
    return {
        "notebook": notebook,
        "dvc_yaml": relative(status.dvc_yaml) if status.dvc_yaml is not None else None,
        "stages": [
            {
                "name": s.name,
                "state": s.state,
                "reason": s.reason,
                "executed_notebook": relative(s.executed_notebook)
                if s.executed_notebook is not None else None,
                "metrics": [relative(p) for p in s.metrics],
                "plots": [relative(p) for p in s.plots],
                "error": {"cell_id": s.error.cell_id, "ename": s.error.ename,
                          "evalue": s.error.evalue} if s.error is not None else None,
            }
            for s in status.stages
        ],
        "message": status.message,
    }


def _generated(analysis: Analysis) -> dict[str, str] | None:
    found = analysis.notebook.generated_stage
    return {"notebook": found[0], "stage": found[1]} if found else None
