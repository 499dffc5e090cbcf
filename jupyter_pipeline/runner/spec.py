"""A dvc.yaml stage as the runner needs it: every form DVC accepts, normalised. Pure."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Any, Mapping

from ..errors import Nb2PipeError

ALLOWED_KEYS = frozenset({"cmd", "wdir", "deps", "params", "outs", "metrics", "plots", "frozen",
                          "always_changed", "desc", "meta", "vars", "matrix", "foreach", "do"})


class PipelineError(Nb2PipeError):
    """dvc.yaml describes something DVC itself would refuse; the message says what to change."""


@dataclass(frozen=True)
class Out:
    path: str  # relative to the stage's wdir
    cache: bool = True


@dataclass(frozen=True)
class StageSpec:
    name: str
    cmd: tuple[str, ...]
    wdir: str  # relative to the folder of dvc.yaml
    deps: tuple[str, ...]
    outs: tuple[Out, ...]
    params: tuple[tuple[str, tuple[str, ...] | None], ...]  # (file, keys or None = all)
    frozen: bool = False
    always_changed: bool = False
    cmd_is_list: bool = True  # dvc.lock repeats cmd in the form dvc.yaml gives it

    def root_path(self, path: str) -> str:
        """A stage path relative to the dvc.yaml folder."""
        return posixpath.normpath(posixpath.join(self.wdir, path))


def _paths(entries: Any, where: str) -> list[tuple[str, dict]]:
    out = []
    for e in entries or []:
        if isinstance(e, str):
            out.append((e, {}))
        elif isinstance(e, Mapping) and len(e) == 1:
            path, opts = next(iter(e.items()))
            out.append((str(path), dict(opts or {})))
        else:
            raise PipelineError(f"dvc.yaml: {where} has an entry nb2pipe cannot read: {e!r}")
    return out


_VAR = re.compile(r"(?<!\\)\$\{\s*([\w.-]+)\s*\}")


def interpolate(text: str, variables: Mapping[str, Any], where: str) -> str:
    """`${key}` as DVC resolves it in a cmd, from params.yaml and `vars` (booleans as DVC
    prints them: true / false)."""
    def value(match: re.Match) -> str:
        node: Any = variables
        for part in match.group(1).split("."):
            if isinstance(node, Mapping) and part in node:
                node = node[part]
            else:
                raise PipelineError(f"dvc.yaml: {where} uses '${{{match.group(1)}}}', which "
                                    "params.yaml and vars do not define")
        if isinstance(node, bool):
            return "true" if node else "false"
        return str(node)

    return _VAR.sub(value, text)


def parse_stages(data: Any, variables: Mapping[str, Any] | None = None) -> list[StageSpec]:
    if not isinstance(data, Mapping) or not isinstance(data.get("stages"), Mapping):
        raise PipelineError("dvc.yaml has no 'stages' mapping. Convert a notebook first "
                            "('nb2pipe convert NOTEBOOK')")
    specs = []
    for name, raw in data["stages"].items():
        if not isinstance(raw, Mapping):
            raise PipelineError(f"dvc.yaml: stage '{name}' is not a mapping")
        extra = sorted(set(raw) - ALLOWED_KEYS)
        if extra:
            raise PipelineError(f"dvc.yaml: stage '{name}' has keys DVC rejects: "
                                f"{', '.join(extra)} (extra keys not allowed)")
        if "foreach" in raw or "matrix" in raw:
            raise PipelineError(f"dvc.yaml: stage '{name}' uses foreach/matrix, which nb2pipe "
                                "run does not expand yet; use 'dvc repro'")
        cmd = raw.get("cmd")
        if cmd is None:
            raise PipelineError(f"dvc.yaml: stage '{name}' has no 'cmd'")
        cmds = tuple(interpolate(str(c), variables or {}, f"stage '{name}' cmd")
                     for c in (cmd if isinstance(cmd, list) else [cmd]))
        outs = [Out(p, bool(o.get("cache", True))) for key in ("outs", "metrics", "plots")
                for p, o in _paths(raw.get(key), f"stage '{name}' {key}")]
        params: list[tuple[str, tuple[str, ...] | None]] = []
        default: list[str] = []
        for p in raw.get("params") or []:
            if isinstance(p, str):
                default.append(p)
            elif isinstance(p, Mapping):
                for file, keys in p.items():
                    params.append((str(file), None if keys is None else tuple(map(str, keys))))
        if default:
            params.insert(0, ("params.yaml", tuple(default)))
        specs.append(StageSpec(
            name=str(name), cmd=cmds, wdir=str(raw.get("wdir") or "."),
            deps=tuple(p for p, _ in _paths(raw.get("deps"), f"stage '{name}' deps")),
            outs=tuple(outs), params=tuple(params),
            frozen=bool(raw.get("frozen")), always_changed=bool(raw.get("always_changed")),
            cmd_is_list=isinstance(cmd, list)))
    return specs
