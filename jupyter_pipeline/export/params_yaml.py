"""params.yaml: the notebook's parameters with their types; keys it does not own are kept.

params.yaml is DVC's configuration file, and DVC's own tools edit it: `dvc exp run -S k=v` and
`dvc exp apply` write the experiment's values into it, and users set values there by hand. So
the notebook's parameters cell gives the *defaults*: a key that is new, or that still holds what
the notebook said at the last convert, takes the notebook's value; a key whose value was changed
outside the notebook since keeps it, and the convert names it (`kept`). `force` puts the
notebook's values back. A convert therefore never quietly undoes an experiment."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Mapping

from ..errors import PipelineFileError
from ..model.pipeline import Pipeline
from .yaml_text import YAMLError, dump, load_roundtrip


@dataclass(frozen=True)
class KeptParam:
    """A key whose params.yaml value was set outside the notebook and is kept."""
    name: str
    value: Any  # what params.yaml holds (the pipeline runs with this)
    notebook_value: Any


@dataclass(frozen=True)
class ParamsMerge:
    text: str | None  # None: the notebook has no parameters and there is no file
    kept: tuple[KeptParam, ...] = ()


def canonical(value: Any) -> str:
    """One spelling per value, so 1 and True, or 1 and 1.0, never compare equal (YAML and the
    pipeline's types tell them apart)."""
    return json.dumps(value, sort_keys=True, default=str)


def recorded(params: Pipeline) -> dict[str, str]:
    """What the manifest remembers: each parameter's value in the notebook at this convert."""
    return {p.name: canonical(p.value) for p in params.params}


def merge(existing: str | None, pipeline: Pipeline, previous: Mapping[str, str] | None = None,
          force: bool = False, path: str = "params.yaml") -> ParamsMerge:
    """New params.yaml text, and the keys whose outside value is kept. `previous` is the
    manifest's record of the notebook's values at the last convert (None: no record)."""
    if not pipeline.params and not existing:
        return ParamsMerge(None)
    data = None
    if existing and existing.strip():
        try:
            data = load_roundtrip(existing)
        except YAMLError as exc:
            raise PipelineFileError(path, f"is not valid YAML ({exc})",
                                    "Fix it, or move it away and convert again") from None
        except RecursionError:
            raise PipelineFileError(path, "is nested too deeply to read",
                                    "Fix it, or move it away and convert again") from None
        if not isinstance(data, dict):
            raise PipelineFileError(path, "is not a YAML mapping", "Fix it, or move it away")
    if data is None:
        data = {}
    kept: list[KeptParam] = []
    for p in pipeline.params:
        if p.name in data and not force and _set_outside(data[p.name], p.value,
                                                         (previous or {}).get(p.name)):
            kept.append(KeptParam(p.name, data[p.name], p.value))
            continue
        data[p.name] = p.value
    return ParamsMerge(dump(data), tuple(kept))


def _set_outside(current: Any, notebook_value: Any, previous: str | None) -> bool:
    now = canonical(current)
    return now != canonical(notebook_value) and now != previous
