"""The facade cli and server call: one function per user action, errors as Nb2PipeError."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from . import files
from .analysis.analyze import Analysis, CellCache, analyze
from .errors import AnalysisCrashed, AnalysisFailed, Nb2PipeError, NotebookReadError, OutputError
from .export import plan as export_plan
from .export import provenance
from .export.provenance import MetricSource
from .export.layout import Layout
from .export.params_yaml import KeptParam
from .model.diagnostics import cell_name
from .model.notebook import Notebook
from .model.tags import with_stage_tag
# A run's cancellation, for callers in other threads (the server's Cancel): stdlib only.
from .runner.schedule import Cancel, Cancelled

_CACHE = CellCache()


def analyze_path(path: str | os.PathLike, by_headings: int | None = None) -> Analysis:
    return _analyze(files.read_notebook(path), by_headings, path)


def analyze_notebook(data: object, name: str, by_headings: int | None = None,
                     path: str | os.PathLike | None = None) -> Analysis:
    """The analysis of a notebook's JSON as an editor holds it (unsaved edits included); `name`
    only names it in messages; `path`: where it is saved (or will be), whose folder holds the
    notebook's own modules, as for a saved notebook. Cells seen before are not analysed again
    (cache by source)."""
    return _analyze(Notebook.from_dict(name, data), by_headings, path)


def _analyze(notebook: Notebook, by_headings: int | None,
             path: str | os.PathLike | None = None) -> Analysis:
    """`path`: where the notebook is (None: nowhere), for its own modules beside it.
    The analysis promises diagnostics, never exceptions, on user code; should it break that
    promise, the user gets the cell that triggers it (found by analysing cell by cell) rather
    than 'failed unexpectedly'."""
    modules = files.local_modules(path) if path is not None else {}
    try:
        return analyze(notebook, by_headings=by_headings, cache=_CACHE, local_modules=modules,
                       module_sources=files.module_sources(path, modules, notebook)
                       if path is not None else None)
    except Nb2PipeError:
        raise
    except Exception as exc:  # noqa: BLE001 - see the docstring; the cause stays chained
        if os.environ.get("NB2PIPE_DEBUG"):
            raise
        raise AnalysisCrashed(notebook.path, _crashing_cell(notebook), exc) from exc


def _crashing_cell(notebook: Notebook) -> int | None:
    from .analysis.analyze import CellCache as Fresh
    from .analysis.params import literal_assignments

    probe = Fresh()
    for cell in notebook.code_cells:
        try:
            probe.facts(cell.source)
            literal_assignments(cell.source, cell.index)
        except Exception:  # noqa: BLE001 - looking for the cell that raises
            return cell.index
    return None


def _refuse_generated(notebook: Notebook) -> None:
    found = notebook.generated_stage
    if found is not None:
        source, stage = found
        raise NotebookReadError(
            notebook.path, f"is the notebook of stage '{stage}' that nb2pipe generated from "
            f"'{source}': exporting it would put a pipeline inside the pipeline",
            f"Open '{source}' (beside dvc.yaml, or where it was converted from), tag its cells "
            "there and export that notebook. Nothing was written")


@dataclass(frozen=True)
class ConvertResult:
    analysis: Analysis
    out_dir: Path
    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]
    dry_run: bool
    kernel_missing: str | None = None  # the stages' kernel, when it is not installed here
    kept_params: tuple[KeptParam, ...] = ()  # params.yaml values set outside the notebook


def metric_sources(analysis: Analysis, notebook_path: str | os.PathLike,
                   out_dir: str | os.PathLike | None = None) -> tuple[MetricSource, ...]:
    """Where each declared metric of the pipeline in `out_dir` (default: the notebook's folder)
    comes from, with the parameter values and data hashes of its dvc.lock (the experiment in
    the workspace); without a dvc.lock, the stages, cells and names alone."""
    from .runner.lock import read_lock

    nb = Path(notebook_path)
    out = Path(out_dir) if out_dir is not None else nb.resolve().parent
    locked, _ = read_lock(out / "dvc.lock")  # an unreadable lock is as good as none here
    return provenance.sources(analysis.pipeline, layout_for(nb, out), locked)


def layout_for(notebook_path: Path, out_dir: Path) -> Layout:
    nb_dir, out = notebook_path.resolve().parent, out_dir.resolve()
    return Layout(notebook_name=notebook_path.name,
                  wdir=Path(os.path.relpath(nb_dir, out)).as_posix(),
                  out_from_wdir=Path(os.path.relpath(out, nb_dir)).as_posix())


def convert(path: str | os.PathLike, out_dir: str | os.PathLike | None = None,
            by_headings: int | None = None, force: bool = False, dry_run: bool = False,
            kernel: str | None = None) -> ConvertResult:
    nb_path = Path(path)
    notebook = files.read_notebook(nb_path)
    _refuse_generated(notebook)
    analysis = _analyze(notebook, by_headings, nb_path)
    if not analysis.ok:
        raise AnalysisFailed(str(path), analysis.errors)
    out = Path(out_dir) if out_dir is not None else nb_path.parent
    files.check_output_folder(out)
    layout = layout_for(nb_path, out)
    _refuse_long_names(analysis, nb_path, out, layout)
    _refuse_git_tracked_outs(analysis, nb_path)
    files.refuse_outside(out / layout.manifest, out)
    manifest = files.read_manifest(out / layout.manifest)
    plan = export_plan.build(
        analysis.notebook, analysis.pipeline, layout,
        existing_dvc=files.read_inside(out / "dvc.yaml", out),
        existing_params=files.read_inside(out / "params.yaml", out),
        previous_manifest=manifest, kernel=kernel, force=force,
        dvc_path=str(out / "dvc.yaml"), params_path=str(out / "params.yaml"))
    result = files.apply(out, plan.files, plan.merged, plan.stale, manifest, force, dry_run)
    return ConvertResult(analysis, out, result.written, result.unchanged, result.removed, dry_run,
                         _missing_kernel(kernel or analysis.pipeline.kernel or "python3"),
                         plan.kept_params)


def _refuse_long_names(analysis: Analysis, notebook: Path, out: Path, layout: Layout) -> None:
    """A stage's files are named after it; a name the file system cannot hold is refused here,
    naming the stage, before any folder is created."""
    try:
        limit = os.pathconf(out if out.is_dir() else out.resolve().parent, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        limit = 255
    cells = {s.name: s.cells[0] for s in analysis.pipeline.stages if s.cells}
    for stage in analysis.pipeline.stages:
        longest = max(len(Path(p).name.encode("utf-8")) for p in
                      (layout.stage_notebook(stage.name), layout.metrics(stage.name)))
        if longest > limit:
            where = f" in {cell_name(cells[stage.name])}" if stage.name in cells else ""
            raise OutputError(
                str(notebook), f"names a stage{where} '{stage.name}' of {len(stage.name)} "
                f"characters: its files would have names longer than the {limit} bytes this "
                "file system allows", f"Give the stage a shorter name (at most "
                f"{limit - (longest - len(stage.name.encode('utf-8')))} characters). Nothing "
                "was written")


def _missing_kernel(name: object) -> str | None:
    """`name` when Jupyter has no such kernel here (notebooks saved by other editors name
    kernels that exist only there), so convert can say so before a stage fails to start."""
    from .runner.execute import installed_kernels

    installed = installed_kernels()
    if installed is None:  # no Jupyter here: the runner will say what is wrong
        return None
    return name if isinstance(name, str) and name not in installed else None


def _refuse_git_tracked_outs(analysis: Analysis, notebook: Path) -> None:
    """DVC runs a stage and only then fails on an output git already tracks, after the stage
    overwrote the file (FACTS.md). Say so before anything runs. Metrics and tables of points
    are declared `cache: false`: git is where they belong."""
    owner = {out: s.name for s in analysis.pipeline.stages for out in s.outs
             if out not in s.metrics_files and out not in {p.path for p in s.plots}}
    tracked = files.git_tracked(notebook.parent, sorted(owner))
    if tracked:
        listing = ", ".join(f"'{p}' (written by stage '{owner[p]}')" for p in tracked)
        raise OutputError(
            str(notebook), f"writes files that git tracks: {listing}",
            "DVC keeps a stage's outputs out of git: run 'git rm --cached " +
            " ".join(tracked) + "' and commit, then convert again. Nothing was written")


def split_level(path: str | os.PathLike) -> int | None:
    """The heading level `--by-headings` without a level splits the notebook at (None: it has no
    heading before code)."""
    from .analysis.stages import split_level as choose

    return choose(files.read_notebook(path))


def tag_by_headings(path: str | os.PathLike, level: int = 2, dry_run: bool = False
                    ) -> list[tuple[int, str]]:
    """Write `stage:NAME` tags at each heading of `level`; every other byte of the notebook kept
    (JSON is re-serialised in nbformat's own style: one-space indent, keys sorted)."""
    from .analysis.stages import heading_names, missing_headings

    nb_path = Path(path)
    notebook = files.read_notebook(nb_path)
    names = heading_names(notebook, level)
    if not names:
        problem, fix = missing_headings(notebook, level).split("; ", 1)
        raise NotebookReadError(str(path), problem, fix[0].upper() + fix[1:] + ". Nothing was "
                                "written")
    original = nb_path.read_text(encoding="utf-8")
    raw = json.loads(original)
    style = _json_style(original, raw)
    for index, name in names.items():
        meta = raw["cells"][index].setdefault("metadata", {})
        meta["tags"] = with_stage_tag(list(meta.get("tags", [])), name)
    if not dry_run:
        files.write_atomic(nb_path, _dump_json(raw, style))
    return sorted(names.items())


def _dump_json(data: object, style: tuple[int, bool, bool, str]) -> str:
    indent, sort_keys, ensure_ascii, tail = style
    return json.dumps(data, indent=indent, sort_keys=sort_keys, ensure_ascii=ensure_ascii) + tail


def _json_style(text: str, data: object) -> tuple[int, bool, bool, str]:
    """The json.dumps settings that reproduce `text` byte for byte, so rewriting the notebook
    changes only the tags; nbformat's own style when none does."""
    second = text.split("\n", 2)[1] if text.count("\n") >= 2 else ""
    indent = len(second) - len(second.lstrip(" ")) or 1
    tail = "\n" if text.endswith("\n") else ""
    for sort_keys in (True, False):
        for ensure_ascii in (False, True):
            style = (indent, sort_keys, ensure_ascii, tail)
            if _dump_json(data, style) == text:
                return style
    return (1, True, False, "\n")


def run(folder: str | os.PathLike = ".", stages: list[str] | None = None, jobs: int | None = None,
        force: bool = False, downstream: bool = False, dry_run: bool = False,
        keep_going: bool = False, report=None, cancel=None):
    """Run the pipeline in `folder` (its dvc.yaml) with the embedded runner. `cancel` (a
    Cancel), requested from another thread, stops it as Ctrl-C does: it raises Cancelled."""
    from .runner.run import execute

    return execute(Path(folder), stages, jobs, force, downstream, dry_run, keep_going,
                   report or (lambda event: None), cancel)


def failure_location(folder: str | os.PathLike, stage: str) -> tuple[Path | None, int | None]:
    """Where to look at a failed nb2pipe stage: its executed notebook, and the index in it of
    the cell that holds the error output (None when the stage never got that far)."""
    from .runner.run import load_specs, notebook_stage

    root = Path(folder)
    spec = next((s for s in load_specs(root) if s.name == stage), None)
    found = notebook_stage(spec, root) if spec is not None else None
    if found is None or not found.output.exists():
        return None, None
    try:
        cells = json.loads(found.output.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError, TypeError):
        return found.output, None
    for index, cell in enumerate(cells):
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            return found.output, index
    return found.output, None


def outputs_outside(folder: str | os.PathLike, root: str | os.PathLike) -> list[tuple[str, str]]:
    """(stage, path) for every output of the pipeline in `folder` (outs, metrics, plots: what a
    run writes or deletes), and its dvc.lock, that leads outside `root`, by `..` or through a
    symlink on the way."""
    from .runner.run import load_specs

    base, top = Path(folder), Path(root)
    found = [(s.name, s.root_path(o.path)) for s in load_specs(base) for o in s.outs
             if files.leads_outside(base / s.root_path(o.path), top) is not None]
    if files.leads_outside(base / "dvc.lock", top) is not None:
        found.append(("(all)", "dvc.lock"))
    return found


def stage_names(folder: str | os.PathLike = ".") -> list[str]:
    """The stages of the dvc.yaml in `folder`, in file order."""
    from .runner.run import load_specs

    return [s.name for s in load_specs(Path(folder))]


def verify(path: str | os.PathLike, by_headings: int | None = None, kernel: str | None = None,
           jobs: int | None = None, timeout: float | None = None):
    """Run the notebook whole (twice) and as a pipeline, in scratch copies, and compare them.
    `timeout`: seconds any one cell may run (None: verify's default; 0: no limit)."""
    from .verify.run import DEFAULT_TIMEOUT, verify as run_verify

    return run_verify(str(path), by_headings, kernel, jobs,
                      DEFAULT_TIMEOUT if timeout is None else timeout)


def execute_stage(notebook: str, output: str, params_file: str = "params.yaml",
                  kernel: str | None = None, pull: Sequence[str] = (),
                  push: Sequence[str] = ()) -> None:
    """`nb2pipe exec-stage`: what the stage prints is this command's output. `pull`: files and
    folders to download from the storage (NB2PIPE_STORAGE) first, `push`: to upload after
    (runner/stage_task.py); both empty unless an engine's task runs the stage."""
    from .runner.stage_task import run_stage_task

    run_stage_task(notebook, output, params_file, kernel, pull, push)


def sweep(folder: str | os.PathLike = ".", options: Sequence[str] = (), jobs: int | None = None,
          report=None):
    """Run every combination of the `-S NAME=V1,V2` options as a DVC experiment (recorded with
    `dvc exp save`), up to `jobs` at a time; see experiments/sweep.py."""
    from .experiments.grid import parse_grid
    from .experiments.sweep import sweep as run_sweep

    return run_sweep(Path(folder), parse_grid(options), jobs, report or (lambda event: None))


def export_engine(target: str | os.PathLike, engine: str = "airflow", **options):
    """Write the pipeline of a notebook (or of every notebook in a dvc.yaml's folder) for another
    engine, Airflow or Kubeflow Pipelines (engine_export.py); `options` as export_pipelines
    takes them."""
    from .engine_export import export_pipelines

    return export_pipelines(target, engine, **options)


def experiments(folder: str | os.PathLike):
    """The pipeline's parameters now and its experiments as DVC shows them (the panel's
    Experiments view); see experiments/shown.py."""
    from .experiments.shown import experiments_of

    return experiments_of(Path(folder))


def grid_labels(grid: dict[str, Sequence[object]]) -> list[str]:
    """Each combination of `grid` (name -> typed values) as the sweep's progress names it."""
    from .experiments.shown import grid_labels as labels

    return labels(grid)


def sweep_grid(folder: str | os.PathLike, grid: dict[str, Sequence[object]],
               jobs: int | None = None, report=None, check_only: bool = False):
    """`sweep` with the values already typed (the panel's): one axis per name. With
    `check_only`, the names and values are checked against the pipeline and nothing runs."""
    from .experiments.shown import grid_axes
    from .experiments.sweep import prepare, sweep as run_sweep

    axes = grid_axes(grid)
    if check_only:
        prepare(Path(folder), axes)
        return None
    return run_sweep(Path(folder), axes, jobs, report or (lambda event: None))
