"""Which of a stage's written files DVC should show as metrics or plots (model/declared.py says
which files can be which; this decides from the tags of the cells that write them)."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from ..model.declared import Plot, PlotSpec, holds_metrics, is_table, named_as_metrics
from ..model.diagnostics import Diagnostic, Severity
from ..model.tags import CellRole
from .bindings import StageFlow


@dataclass(frozen=True)
class Declared:
    metrics: tuple[str, ...] = ()  # files of metrics (relative to the working directory)
    plots: tuple[Plot, ...] = ()  # tables of points
    diagnostics: tuple[Diagnostic, ...] = ()


def declare(flow: StageFlow, cells: tuple[int, ...], roles: dict[int, CellRole]) -> Declared:
    """A JSON/YAML file is metrics when a `metrics` cell writes it or its name says so
    (`metrics.json`, `eval_metrics.yaml`); a table a `plots` cell writes is a plot with the
    tag's x / y / template; dvclive's folder is declared as dvclive lays it out."""
    metrics: dict[str, None] = {}
    plots: dict[str, Plot] = {}
    diags: list[Diagnostic] = []
    for path in sorted(flow.outs):
        writers = [roles[c] for c in flow.out_cells.get(path, ()) if c in roles]
        specs = [r.plots for r in writers if r.plots is not None]
        metric = holds_metrics(path) and (named_as_metrics(path) or any(r.metrics for r in writers))
        if metric:
            metrics[path] = None
        elif specs and is_table(path):
            plots[path] = Plot(path, specs[-1])
    tables = {c for p in plots for c in flow.out_cells.get(p, ())}
    for cell in cells:
        role = roles.get(cell)
        if role is not None and role.plots is not None and cell not in tables:
            diags.append(Diagnostic(
                "plots-without-table", Severity.WARNING,
                "the cell is tagged 'plots' but writes no CSV, TSV, JSON or YAML file by a "
                "literal path (df.to_csv(\"curve.csv\"), json.dump(..., open(\"roc.json\", "
                "\"w\"))), so no plot is declared: write the table here, or remove the tag "
                "(images are plots without it)", cell))
    for logger in flow.live:
        if logger.dir is None:
            diags.append(Diagnostic(
                "dvclive-folder-unknown", Severity.WARNING,
                "dvclive's Live(...) logs to a folder nb2pipe cannot read from the code (not a "
                "literal path), so its metrics and plots are not declared in dvc.yaml: give "
                "dir= as a string", logger.cell, logger.line))
            continue
        if flow.live_logging.metrics:
            metrics[posixpath.join(logger.dir, "metrics.json")] = None
        if flow.live_logging.plots:
            path = posixpath.join(logger.dir, "plots", "metrics")
            plots[path] = Plot(path, PlotSpec(x="step"))
        if logger.writes_dvcyaml and flow.live_logging.metrics:
            diags.append(Diagnostic(
                "dvclive-writes-dvc-yaml", Severity.WARNING,
                f"dvclive's Live(...) writes its own metrics and plots entries into a dvc.yaml "
                f"at every step, also while 'dvc repro' runs this stage, which duplicates what "
                f"nb2pipe declares for stage '{flow.name}' ({logger.dir}/metrics.json, "
                f"{logger.dir}/plots/metrics) and rewrites dvc.yaml during the run: pass "
                f"dvcyaml=None, as in Live(..., dvcyaml=None)", logger.cell, logger.line))
    return Declared(tuple(metrics), tuple(sorted(plots.values(), key=lambda p: p.path)),
                    tuple(diags))
