"""JSON shapes shared by `nb2pipe show --json` and the server API. Pure."""

from __future__ import annotations

from typing import Any

from .analysis.analyze import Analysis


def analysis_json(analysis: Analysis) -> dict[str, Any]:
    p = analysis.pipeline
    return {
        "notebook": p.notebook,
        "ok": analysis.ok,
        "params": [{"name": x.name, "value": x.value, "cell": x.cell} for x in p.params],
        "stages": [
            {
                "name": s.name,
                "cells": list(s.cells),
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
    }
