"""params.yaml: the notebook's parameters with their types; keys it does not own are kept."""

from __future__ import annotations

from ..errors import PipelineFileError
from ..model.pipeline import Pipeline
from .yaml_text import YAMLError, dump, load_roundtrip


def merge(existing: str | None, pipeline: Pipeline, path: str = "params.yaml") -> str | None:
    """New params.yaml text, or None when the notebook has no parameters and there is no file."""
    if not pipeline.params and not existing:
        return None
    data = None
    if existing and existing.strip():
        try:
            data = load_roundtrip(existing)
        except YAMLError as exc:
            raise PipelineFileError(path, f"is not valid YAML ({exc})",
                                    "Fix it, or move it away and convert again") from None
        if not isinstance(data, dict):
            raise PipelineFileError(path, "is not a YAML mapping", "Fix it, or move it away")
    if data is None:
        data = {}
    for p in pipeline.params:
        data[p.name] = p.value
    return dump(data)
