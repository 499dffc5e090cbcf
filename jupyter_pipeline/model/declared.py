"""Which files a stage writes DVC should show as metrics or plots, not only keep as outputs.

`dvc metrics show`, `dvc plots show` and the metric columns of `dvc exp show` read only what
dvc.yaml declares under `metrics:` / `plots:`; an ordinary out is invisible to them.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".svg", ".gif")
# What DVC parses as metrics, and as plot data (dvc plots: JSON, YAML, CSV, TSV).
METRICS_SUFFIXES = (".json", ".yaml", ".yml")
TABLE_SUFFIXES = (".csv", ".tsv", ".json", ".yaml", ".yml")
# DVC's own plot templates (dvc_render's vega templates); a tag naming another is a mistake.
TEMPLATES = frozenset({"simple", "linear", "scatter", "scatter_jitter", "smooth", "confusion",
                       "confusion_normalized", "bar_horizontal", "bar_horizontal_sorted"})


@dataclass(frozen=True)
class PlotSpec:
    """What a `plots:x=..:y=..` tag asks for; None leaves the choice to DVC (its defaults:
    the row number for x, the last column for y, the `linear` template)."""

    x: str | None = None
    y: str | None = None
    template: str | None = None


@dataclass(frozen=True)
class Plot:
    """A table of points a stage writes, declared under the stage's `plots:`."""

    path: str  # relative to the notebook's folder, as the stage's outs
    spec: PlotSpec = PlotSpec()


def is_image(path: str) -> bool:
    return path.lower().endswith(IMAGE_SUFFIXES)


def is_table(path: str) -> bool:
    return path.lower().endswith(TABLE_SUFFIXES)


def holds_metrics(path: str) -> bool:
    """A file format DVC reads metrics from."""
    return path.lower().endswith(METRICS_SUFFIXES)


def named_as_metrics(path: str) -> bool:
    """The naming convention: a JSON/YAML file with "metrics" in its name (`metrics.json`,
    `eval_metrics.yaml`) holds metrics, whichever cell writes it."""
    return holds_metrics(path) and "metrics" in posixpath.basename(path).lower()
