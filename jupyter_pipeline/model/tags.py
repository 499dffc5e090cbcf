"""The tag contract (DESIGN.md §2): what a cell's `metadata.tags` mean to nb2pipe.

nb2pipe's own vocabulary is read together with Kubeflow Kale's, so Kale notebooks convert
unchanged. Tags nb2pipe does not know belong to other tools and are ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .declared import TEMPLATES, PlotSpec

STAGE_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")

# prefix -> meaning; Kale's `block:`/`step:` start a stage, `prev:` orders it after another.
_STAGE_PREFIXES = ("stage:", "block:", "step:")
_AFTER_PREFIXES = ("after:", "prev:")
_KALE_PREFIXES = ("block:", "step:", "prev:")
_PARAMETERS = frozenset({"parameters", "pipeline-parameters"})
_METRICS = frozenset({"metrics", "pipeline-metrics"})
_SKIP = frozenset({"skip"})
# `plots` alone, or `plots:x=epoch:y=loss[:template=linear]`: colons, not commas or spaces,
# because a tag is one word (JupyterLab's tag editor takes neither).
_PLOTS = "plots"
_PLOT_KEYS = ("x", "y", "template")
_PLOT_FIELD = re.compile(r"[A-Za-z0-9_.\-]+\Z")
# Kale marks cells it prepends to every step; nb2pipe re-emits imports and definitions wherever
# they are used, so these cells are ordinary code at their position.
_KALE_PLAIN = frozenset({"imports", "functions"})


@dataclass(frozen=True)
class TagProblem:
    tag: str
    message: str


@dataclass(frozen=True)
class CellRole:
    """What one cell's tags ask for."""

    stage: str | None = None
    after: tuple[str, ...] = ()
    parameters: bool = False
    skip: bool = False
    metrics: bool = False
    # The cell's tables of points are DVC plots (with these x / y / template), when tagged
    plots: PlotSpec | None = None
    problems: tuple[TagProblem, ...] = ()


def suggest_name(name: str) -> str:
    """A valid stage name close to `name` (for messages and for --by-headings)."""
    slug = re.sub(r"[^a-z0-9_-]+", "-", name.strip().lower()).strip("-_")
    return slug or "stage"


def read_tags(tags: tuple[str, ...] | list[str]) -> CellRole:
    stage: str | None = None
    after: list[str] = []
    problems: list[TagProblem] = []
    parameters = skip = metrics = False
    plots: PlotSpec | None = None
    for tag in tags:
        prefix = next((p for p in _STAGE_PREFIXES + _AFTER_PREFIXES if tag.startswith(p)), None)
        if prefix is not None:
            name = tag[len(prefix):]
            if not name and prefix in _KALE_PREFIXES:
                continue  # Kale reads an empty `block:` as no tag: the cell continues its step
            if not STAGE_NAME.match(name):
                problems.append(
                    TagProblem(
                        tag,
                        f"'{tag}' has an invalid stage name '{name}': use lowercase letters, "
                        f"digits, '_' and '-', starting with a letter or digit "
                        f"(for example '{prefix}{suggest_name(name)}')",
                    )
                )
                continue
            if prefix in _AFTER_PREFIXES:
                if name not in after:
                    after.append(name)
            elif stage is None or stage == name:
                stage = name
            else:
                problems.append(
                    TagProblem(
                        tag,
                        f"the cell starts two stages, '{stage}' and '{name}': keep one tag",
                    )
                )
        elif tag in _PARAMETERS:
            parameters = True
        elif tag in _METRICS:
            metrics = True
        elif tag in _SKIP:
            skip = True
        elif tag == _PLOTS or tag.startswith(_PLOTS + ":"):
            spec, problem = read_plots_tag(tag)
            if problem is not None:
                problems.append(TagProblem(tag, problem))
            elif plots is not None and spec != plots:
                problems.append(TagProblem(tag, f"the cell has two plots tags, '{tag}' and "
                                                "another: keep one"))
            else:
                plots = spec
        # _KALE_PLAIN and unknown tags: nothing to do.
    return CellRole(
        stage=stage,
        after=tuple(after),
        parameters=parameters,
        skip=skip,
        metrics=metrics,
        plots=plots,
        problems=tuple(problems),
    )


def read_plots_tag(tag: str) -> tuple[PlotSpec, str | None]:
    """The plot a `plots` / `plots:x=A:y=B:template=T` tag asks for, or what is wrong with it."""
    if tag == _PLOTS:
        return PlotSpec(), None
    example = "for example 'plots:x=epoch:y=loss' or 'plots:x=epoch:y=loss:template=linear'"
    fields: dict[str, str] = {}
    for part in tag[len(_PLOTS) + 1:].split(":"):
        key, sep, value = part.partition("=")
        if not sep or key not in _PLOT_KEYS:
            return PlotSpec(), (f"'{tag}' is not a plots tag nb2pipe reads: after 'plots:' come "
                                f"x=COLUMN, y=COLUMN and template=NAME, separated by ':' "
                                f"({example})")
        if key in fields:
            return PlotSpec(), f"'{tag}' gives {key} twice: keep one ({example})"
        if "," in value:
            return PlotSpec(), (f"'{tag}' separates with ',': a tag holds no commas, so "
                                f"separate x, y and template with ':' ({example})")
        if not _PLOT_FIELD.match(value):
            return PlotSpec(), (f"'{tag}' has an empty or odd {key} '{value}': name a column "
                                f"with letters, digits, '_', '-' or '.' ({example})")
        fields[key] = value
    template = fields.get("template")
    if template is not None and template not in TEMPLATES:
        return PlotSpec(), (f"'{tag}' names the template '{template}', which DVC does not "
                            f"have: use one of {', '.join(sorted(TEMPLATES))}")
    return PlotSpec(fields.get("x"), fields.get("y"), template), None


def with_stage_tag(tags: list[str], stage: str | None) -> list[str]:
    """`tags` with every stage-starting tag replaced by `stage:NAME` (or removed for None).

    Order and every other tag are kept, so writing tags back changes only what it must.
    """
    kept = [t for t in tags if not t.startswith(_STAGE_PREFIXES)]
    if stage is None:
        return kept
    new = f"stage:{stage}"
    # Put the stage tag where the old one was, if there was one, for a minimal diff.
    for i, t in enumerate(tags):
        if t.startswith(_STAGE_PREFIXES):
            return kept[:i] + [new] + kept[i:]
    return kept + [new]
