"""Analyse a few cells: [(tags, source), ...] -> the analysis, and per-stage shortcuts."""

from __future__ import annotations

import json

from jupyter_pipeline.analysis.analyze import Analysis, CellCache, analyze
from jupyter_pipeline.model.notebook import Notebook
from tests.nbbuild import notebook


def run(cells, by_headings=None) -> Analysis:
    nb = Notebook.from_dict("t.ipynb", json.loads(json.dumps(notebook(cells))))
    return analyze(nb, by_headings=by_headings, cache=CellCache())


def stages(cells, by_headings=None) -> dict:
    a = run(cells, by_headings)
    assert a.ok, [d.render("t.ipynb") for d in a.errors]
    return {s.name: s for s in a.pipeline.stages}


def needs(stage) -> dict[str, str]:
    return {n.name: n.producer for n in stage.needs}


def codes(analysis: Analysis) -> list[str]:
    return [d.code for d in analysis.diagnostics]
