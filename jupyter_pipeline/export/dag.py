"""The stage graph as text: ascii for terminals, mermaid for Markdown, dot for Graphviz."""

from __future__ import annotations

import posixpath
from typing import Mapping, Sequence

from ..model.pipeline import Pipeline

# stage -> [(upstream stage, label)] in order
Edges = Mapping[str, Sequence[tuple[str, str]]]


def edges_of(pipeline: Pipeline) -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = {}
    for s in pipeline.stages:
        labels: dict[str, list[str]] = {}
        for n in s.needs:
            labels.setdefault(n.producer, []).append(n.name)
        for f in s.file_inputs:
            labels.setdefault(f.producer, []).append(f.path)
        for a in s.after:
            labels.setdefault(a, []).append("(after)")
        out[s.name] = [(u, ", ".join(v)) for u, v in labels.items()]
    return out


def render(edges: Edges, fmt: str = "ascii") -> str:
    if fmt == "mermaid":
        lines = ["flowchart TD"]
        for stage, ups in edges.items():
            lines.append(f"  {_mid(stage)}[{stage}]")
        for stage, ups in edges.items():
            for up, label in ups:
                text = f'|"{label}"|' if label else ""
                lines.append(f"  {_mid(up)} -->{text} {_mid(stage)}")
        return "\n".join(lines) + "\n"
    if fmt == "dot":
        lines = ["digraph pipeline {", "  rankdir=TB;", "  node [shape=box];"]
        for stage in edges:
            lines.append(f'  "{stage}";')
        for stage, ups in edges.items():
            for up, label in ups:
                lines.append(f'  "{up}" -> "{stage}" [label="{label}"];')
        lines.append("}")
        return "\n".join(lines) + "\n"
    width = max((len(s) for s in edges), default=0)
    lines = []
    for stage, ups in edges.items():
        if not ups:
            lines.append(stage)
            continue
        first, *rest = ups
        lines.append(f"{stage.ljust(width)}  <- {_edge(first)}")
        lines += [f"{' ' * width}  <- {_edge(u)}" for u in rest]
    return "\n".join(lines) + "\n"


def _edge(edge: tuple[str, str]) -> str:
    up, label = edge
    return f"{up}: {label}" if label else up


def _mid(name: str) -> str:
    return "s_" + "".join(c if c.isalnum() else "_" for c in name)


def edges_from_dvc(stages: Mapping[str, Mapping]) -> dict[str, list[tuple[str, str]]]:
    """Edges of a dvc.yaml's stages: a dep that is (inside) another stage's out. Paths are
    compared from the dvc.yaml's folder, since each stage writes them relative to its wdir."""
    outs: dict[str, str] = {}
    for name, st in stages.items():
        for o in [*(st.get("outs") or []), *(st.get("plots") or []), *(st.get("metrics") or [])]:
            path = next(iter(o)) if isinstance(o, Mapping) else str(o)
            outs[_from_root(st, path)] = name
    edges: dict[str, list[tuple[str, str]]] = {}
    for name, st in stages.items():
        found: dict[str, list[str]] = {}
        for d in st.get("deps", []) or []:
            dep = _from_root(st, str(d))
            for out, producer in outs.items():
                if producer != name and (dep == out or dep.startswith(out + "/")):
                    found.setdefault(producer, []).append(str(d).rstrip("/"))
        edges[name] = [(u, ", ".join(v)) for u, v in found.items()]
    return edges


def _from_root(stage: Mapping, path: str) -> str:
    wdir = str(stage.get("wdir") or ".")
    return posixpath.normpath(posixpath.join(wdir, path.rstrip("/")))
