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

    def all_files(self) -> dict[str, str]:
        return {**self.files, **self.merged}


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def build(notebook: Notebook, pipeline: Pipeline, layout: Layout, existing_dvc: str | None,
          existing_params: str | None, previous_manifest: dict | None = None,
          kernel: str | None = None) -> ExportPlan:
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
    manifest = {
        "notebook": layout.notebook_name,
        "version": __version__,
        "files": {path: digest(text) for path, text in sorted(files.items())},
    }
    files[layout.manifest] = json.dumps(manifest, indent=1, sort_keys=True) + "\n"
    merged = {"dvc.yaml": dvc_yaml.merge(existing_dvc, notebook, pipeline, layout)}
    params = params_yaml.merge(existing_params, pipeline)
    if params is not None:
        merged["params.yaml"] = params
    old = (previous_manifest or {}).get("files", {})
    stale = tuple(sorted(p for p in old if p not in files))
    return ExportPlan(files, merged, stale, layout.manifest)
