"""Edge: `nb2pipe export --to airflow|kfp`: the pipelines of a dvc.yaml as Airflow DAG files or
Kubeflow Pipelines (v2) pipeline files.

The stages, their commands and their dependencies are read back from dvc.yaml (after converting
the notebook, when one is given), so a DAG runs exactly what `dvc repro` and `nb2pipe run` run.
Each DAG file is written like every generated file (files.apply): atomically, and a file changed
by hand since the last export is refused without --force (its digest is kept in the pipeline's
`<engine>-manifest.json`).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from . import files
from .errors import Nb2PipeError
from .export import airflow_dag, kfp_pipeline
from .export.engine_sweep import plan_sweep
from .export.layout import Layout
from .export.plan import digest
from .export.yaml_text import load_safe

# engine -> (folder of its files, renderer)
ENGINES = {"airflow": ("dags", airflow_dag.render), "kfp": ("kfp", kfp_pipeline.render)}


class ExportError(Nb2PipeError):
    """The export cannot be made; the message says what to do."""


@dataclass(frozen=True)
class Exported:
    out_dir: Path
    dags: tuple[tuple[str, str], ...]  # (DAG id, file relative to out_dir)
    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    warnings: tuple[str, ...] = ()
    converted: Any = None  # api.ConvertResult, when a notebook was converted first


def check_storage(url: str | None) -> str | None:
    """An fsspec URL (`s3://bucket/prefix`) or an absolute folder: a relative one would be
    relative to wherever each worker runs the task."""
    if url is None:
        return None
    url = url.strip()
    if not url or not (re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", url) or os.path.isabs(url)):
        raise ExportError(f"--storage '{url}' is neither a URL (s3://bucket/prefix, "
                          "gs://..., file:///shared/folder) nor an absolute folder: tasks run "
                          "in other folders, on other machines. Pass one of those")
    return url


def _owners(data: Any) -> dict[str, tuple[str, str]]:
    """stage -> (notebook name, wdir) for every stage nb2pipe generated."""
    out: dict[str, tuple[str, str]] = {}
    for name, raw in ((data or {}).get("stages") or {}).items():
        meta = raw.get("meta") if isinstance(raw, dict) else None
        owner = meta.get("nb2pipe") if isinstance(meta, dict) else None
        if isinstance(owner, dict) and isinstance(owner.get("notebook"), str):
            out[str(name)] = (owner["notebook"], str(raw.get("wdir") or "."))
    return out


def _grid(options: Sequence[str]) -> tuple:
    """The combinations of the `-S` options, read as `nb2pipe sweep` reads them."""
    from .experiments.grid import combinations, parse_grid

    return combinations(parse_grid(options))


def _written(path: str, produced: set[str]) -> bool:
    """Whether `path` (from dvc.yaml's folder) is, or is inside, an output of a stage of the
    pipeline: with a storage, the task downloads it from there (a handoff folder, a report, a
    model); the project's own inputs come from the worker's copy of the project."""
    return any(path == p or path.startswith(p + "/") for p in produced)


def _read_yaml(path: Path, root: Path) -> Any:
    text = files.read_inside(path, root)
    if text is None:
        return None
    try:
        return load_safe(text)
    except Exception as exc:  # noqa: BLE001 - any YAML problem is the user's file
        raise ExportError(f"'{path}' is not valid YAML ({exc}): fix it, or convert the "
                          "notebook again") from None


def export_pipelines(target: str | os.PathLike, engine: str = "airflow",
                     out_dir: str | os.PathLike | None = None,
                     storage: str | None = None, retries: int = airflow_dag.DEFAULT_RETRIES,
                     retry_delay: int = airflow_dag.DEFAULT_RETRY_DELAY,
                     timeout: int = airflow_dag.DEFAULT_TIMEOUT, force: bool = False,
                     by_headings: int | None = None, kernel: str | None = None,
                     sweep: Sequence[str] = ()) -> Exported:
    """`target` a notebook (converted first, then its DAG) or a folder with dvc.yaml (a DAG per
    notebook pipeline in it). `sweep`: `-S NAME=V1,V2` options: the DAG (`NAME_sweep`) runs
    every combination of them in one run (export/engine_sweep.py)."""
    from . import api
    from .runner.plan import dependencies
    from .runner.spec import parse_stages

    if engine not in ENGINES:
        raise ExportError(f"no export to '{engine}': --to {' or '.join(ENGINES)}")
    folder, render = ENGINES[engine]
    storage = check_storage(storage)
    options = airflow_dag.DagOptions(storage, retries, retry_delay, timeout)
    grid = _grid(sweep) if sweep else None
    path = Path(target)
    converted = None
    only: tuple[str, str] | None = None
    if path.is_dir():
        root = path
        if out_dir is not None:
            raise ExportError("-o is for a notebook (where to convert it to); with a folder, "
                              "the DAGs go beside its dvc.yaml")
    else:
        converted = api.convert(path, out_dir, by_headings, force, False, kernel)
        root = converted.out_dir
        layout = api.layout_for(path, root)
        only = (layout.notebook_name, layout.wdir)
    data = _read_yaml(root / "dvc.yaml", root)
    if data is None:
        raise ExportError(f"'{root}' has no dvc.yaml: convert a notebook first "
                          "('nb2pipe convert NOTEBOOK'), or export the notebook itself")
    params = _read_yaml(root / "params.yaml", root) or {}
    if not isinstance(params, dict):
        raise ExportError(f"'{root / 'params.yaml'}' is not a mapping of names to values")
    specs = parse_stages(data, params)
    edges = dependencies(specs)
    owners = _owners(data)
    pipelines: dict[tuple[str, str], list] = {}
    for spec in specs:
        owner = owners.get(spec.name)
        if owner is not None and (only is None or owner == only):
            pipelines.setdefault(owner, []).append(spec)
    if not pipelines:
        raise ExportError(f"'{root / 'dvc.yaml'}' has no stage nb2pipe generated: convert a "
                          "notebook first ('nb2pipe convert NOTEBOOK')")
    dags, written, unchanged, warnings = [], [], [], []
    for (notebook, wdir), stage_specs in sorted(pipelines.items()):
        names = {s.name for s in stage_specs}
        produced = {s.root_path(o.path) for s in stage_specs for o in s.outs}
        tasks = []
        for s in stage_specs:
            outside = [u for u in edges[s.name] if u not in names]
            if outside:
                warnings.append(f"stage '{s.name}' reads outputs of {', '.join(map(repr, outside))}"
                                f" of another pipeline, which the DAG of '{notebook}' does not "
                                "run: run that pipeline first")
            tasks.append(airflow_dag.StageTask(
                s.name, " && ".join(s.cmd), s.wdir,
                tuple(u for u in edges[s.name] if u in names),
                tuple(k for file, keys in s.params if s.root_path(file) == "params.yaml"
                      for k in (keys or ())),
                pulls=tuple(d for d in s.deps if _written(s.root_path(d), produced)),
                pushes=tuple(o.path for o in s.outs)))
        dag = airflow_dag.dag_id(notebook)
        plan = None
        if grid is not None:
            plan = plan_sweep(tasks, [c.as_dict() for c in grid], [c.label() for c in grid],
                              params)
            dag = f"{dag}_sweep"
        text = render(notebook, dag, tasks, params, options, plan)
        dag_file = f"{folder}/{dag}.py"
        kind = engine if grid is None else f"{engine}-sweep"
        manifest_file = f"{Layout(notebook, wdir).base}/{kind}-manifest.json"
        files.refuse_outside(root / manifest_file, root)
        previous = files.read_manifest(root / manifest_file)
        manifest = json.dumps({"dag_id": dag, "files": {dag_file: digest(text)},
                               "notebook": notebook}, indent=1, sort_keys=True) + "\n"
        result = files.apply(root, {dag_file: text, manifest_file: manifest}, {}, (), previous,
                             force)
        dags.append((dag, dag_file))
        written += result.written
        unchanged += result.unchanged
    return Exported(root, tuple(dags), tuple(written), tuple(unchanged), tuple(warnings),
                    converted)
