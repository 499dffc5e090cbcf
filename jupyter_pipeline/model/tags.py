"""The tag contract (DESIGN.md §2): what a cell's `metadata.tags` mean to nb2pipe.

nb2pipe's own vocabulary is read together with Kubeflow Kale's, so Kale notebooks convert
unchanged. Tags nb2pipe does not know belong to other tools and are ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

STAGE_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")

# prefix -> meaning; Kale's `block:`/`step:` start a stage, `prev:` orders it after another.
_STAGE_PREFIXES = ("stage:", "block:", "step:")
_AFTER_PREFIXES = ("after:", "prev:")
_PARAMETERS = frozenset({"parameters", "pipeline-parameters"})
_METRICS = frozenset({"metrics", "pipeline-metrics"})
_SKIP = frozenset({"skip"})
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
    for tag in tags:
        prefix = next((p for p in _STAGE_PREFIXES + _AFTER_PREFIXES if tag.startswith(p)), None)
        if prefix is not None:
            name = tag[len(prefix):]
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
        # _KALE_PLAIN and unknown tags: nothing to do.
    return CellRole(
        stage=stage,
        after=tuple(after),
        parameters=parameters,
        skip=skip,
        metrics=metrics,
        problems=tuple(problems),
    )


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
