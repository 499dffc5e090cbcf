"""JSON shapes shared by `nb2pipe show --json` and the server API. Pure."""

from __future__ import annotations

from typing import Any

from .analysis.analyze import Analysis
from .export.dag import edges_of


def analysis_json(analysis: Analysis) -> dict[str, Any]:
    p = analysis.pipeline
    ids = {c.index: c.stable_id for c in analysis.notebook.cells}
    return {
        "notebook": p.notebook,
        "ok": analysis.ok,
        "params": [{"name": x.name, "value": x.value, "cell": x.cell} for x in p.params],
        "stages": [
            {
                "name": s.name,
                "cells": list(s.cells),
                "cell_ids": [ids[i] for i in s.cells],
                "needs": [{"name": n.name, "from": n.producer} for n in s.needs],
                "hands_on": list(s.hands_on),
                "params": list(s.params),
                "imports": list(s.imports),
                "definitions": [d.name for d in s.definitions],
                "deps": list(s.data_deps),
                "file_inputs": [{"path": f.path, "from": f.producer} for f in s.file_inputs],
                "outs": list(s.outs),
                "after": list(s.after),
                "metrics": list(s.metrics),
                "upstream": list(s.upstream),
            }
            for s in p.stages
        ],
        "diagnostics": [d.to_dict() for d in p.diagnostics],
        # A stage notebook nb2pipe generated: the panel refuses to assign or export there.
        "generated_from": _generated(analysis),
        # What flows along each edge of the stage graph: variables, files, "(after)" ordering.
        "edges": [{"from": up, "to": stage, "label": label}
                  for stage, ups in edges_of(p).items() for up, label in ups],
    }


def _generated(analysis: Analysis) -> dict[str, str] | None:
    found = analysis.notebook.generated_stage
    return {"notebook": found[0], "stage": found[1]} if found else None
