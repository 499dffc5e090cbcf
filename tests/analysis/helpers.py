"""Analyse a few cells: [(tags, source), ...] -> the analysis, and per-stage shortcuts.

Tags are a string, a list of strings or None; a source starting with "# md:" is a markdown cell.
"""

from __future__ import annotations

import json

from jupyter_pipeline.analysis.analyze import Analysis, CellCache, analyze
from jupyter_pipeline.model.diagnostics import Diagnostic
from jupyter_pipeline.model.notebook import Notebook
from tests.nbbuild import notebook


def build(cells) -> Notebook:
    return Notebook.from_dict("t.ipynb", json.loads(json.dumps(notebook(cells))))


def run(cells, by_headings=None) -> Analysis:
    return analyze(build(cells), by_headings=by_headings, cache=CellCache())


def stages(cells, by_headings=None) -> dict:
    """{stage name: Stage}, asserting the analysis found no error."""
    a = run(cells, by_headings)
    assert a.ok, [d.render("t.ipynb") for d in a.errors]
    return {s.name: s for s in a.pipeline.stages}


def needs(stage) -> dict[str, str]:
    """{name: producer stage}"""
    return {n.name: n.producer for n in stage.needs}


def defs(stage) -> list[str]:
    """Names of the functions and classes the stage defines again from earlier stages."""
    return [d.name for d in stage.definitions]


def codes(analysis: Analysis) -> list[str]:
    return [d.code for d in analysis.diagnostics]


def diagnostic(analysis: Analysis, code: str) -> Diagnostic:
    found = [d for d in analysis.diagnostics if d.code == code]
    assert found, f"no '{code}' among {codes(analysis)}"
    return found[0]
