"""The export plan: {path relative to the output folder: text} for every file a convert writes."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from .. import __version__
from ..model.notebook import Notebook
from ..model.pipeline import Pipeline
from . import dvc_yaml, params_yaml, stage_notebook, stage_script
from .layout import Layout
from .stage_parts import stage_parts


@dataclass(frozen=True)
class ExportPlan:
    files: dict[str, str]  # generated files nb2pipe owns (hand edits are refused)
    merged: dict[str, str] = field(default_factory=dict)  # dvc.yaml / params.yaml, merged
    stale: tuple[str, ...] = ()  # files of an earlier convert no longer generated
    manifest_path: str = ""
    kept_params: tuple[params_yaml.KeptParam, ...] = ()  # params.yaml values set outside

    def all_files(self) -> dict[str, str]:
        return {**self.files, **self.merged}


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def build(notebook: Notebook, pipeline: Pipeline, layout: Layout, existing_dvc: str | None,
          existing_params: str | None, previous_manifest: dict | None = None,
          kernel: str | None = None, force: bool = False, dvc_path: str = "dvc.yaml",
          params_path: str = "params.yaml") -> ExportPlan:
    """Everything a convert writes. The manifest records, besides each generated file's digest,
    the DVC stages and the notebook's parameter values written now, so that the next convert can
    tell what was changed outside nb2pipe (see dvc_yaml.merge, params_yaml.merge)."""
    if kernel:
        notebook = Notebook(notebook.path, notebook.cells,
                            stage_notebook.with_kernel(dict(notebook.metadata), kernel),
                            notebook.nbformat_minor)
    pfile = dvc_yaml.params_file(layout)
    files: dict[str, str] = {}
    for stage in pipeline.stages:
        parts = stage_parts(notebook, pipeline, stage, layout)
        files[layout.stage_notebook(stage.name)] = stage_notebook.render(
            notebook, layout.notebook_name, parts)
        files[layout.stage_script(stage.name)] = stage_script.render(
            layout.notebook_name, pfile, parts)
    previous = previous_manifest or {}
    manifest = {
        "notebook": layout.notebook_name,
        "version": __version__,
        "files": {path: digest(text) for path, text in sorted(files.items())},
        "stages": dvc_yaml.stage_entries(notebook, pipeline, layout),
        "params": params_yaml.recorded(pipeline),
    }
    files[layout.manifest] = json.dumps(manifest, indent=1, sort_keys=True) + "\n"
    merged = {"dvc.yaml": dvc_yaml.merge(existing_dvc, notebook, pipeline, layout, dvc_path,
                                         _mapping(previous.get("stages")), force)}
    params = params_yaml.merge(existing_params, pipeline, _mapping(previous.get("params")),
                               force, params_path)
    if params.text is not None:
        merged["params.yaml"] = params.text
    old = _mapping(previous.get("files")) or {}
    stale = tuple(sorted(p for p in old if p not in files))
    return ExportPlan(files, merged, stale, layout.manifest, params.kept)


def _mapping(value: object) -> dict | None:
    """A manifest section, or None when it is missing or not what nb2pipe writes."""
    return value if isinstance(value, dict) else None
