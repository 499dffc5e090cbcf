"""Which cells form which stage: from tags, or from markdown headings (`--by-headings`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..model.diagnostics import Diagnostic, Severity, cell_name
from ..model.notebook import Notebook
from ..model.tags import CellRole, read_tags, suggest_name

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$", re.MULTILINE)


@dataclass(frozen=True)
class StageCells:
    name: str
    code: tuple[int, ...]  # code cells in the pipeline (not skip)
    markdown: tuple[int, ...]
    after: tuple[str, ...]
    first_tagged: int  # the cell that starts it (for messages)


@dataclass(frozen=True)
class Grouping:
    stages: tuple[StageCells, ...]
    roles: dict[int, CellRole]  # code cell index -> its role
    parameters_cell: int | None
    diagnostics: tuple[Diagnostic, ...]


def heading_names(notebook: Notebook, level: int = 2) -> dict[int, str]:
    """{index of the first code cell after a heading of `level`: unique stage name}."""
    names: dict[int, str] = {}
    used: set[str] = set()
    pending: str | None = None
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for hashes, text in _HEADING.findall(cell.source):
                if len(hashes) == level:
                    pending = text
        elif cell.is_code and pending is not None:
            base = suggest_name(re.sub(r"[`*_\[\]()]", "", pending))[:40].strip("-_") or "stage"
            name, n = base, 2
            while name in used:
                name, n = f"{base}-{n}", n + 1
            used.add(name)
            names[cell.index] = name
            pending = None
    return names


def split_level(notebook: Notebook) -> int | None:
    """The heading level that cuts the notebook into sections: the smallest that makes two
    stages or more, else the smallest that makes one; None when no heading is followed by code
    (the panel's "Split at headings" chooses the same way: labextension/src/headings.ts)."""
    counts = {level: len(heading_names(notebook, level)) for level in range(1, 7)}
    several = [level for level, n in counts.items() if n >= 2]
    one = [level for level, n in counts.items() if n >= 1]
    return (several or one or [None])[0]


def missing_headings(notebook: Notebook, level: int) -> str:
    """Why `--by-headings=level` finds nothing to split at, and which levels would work."""
    levels = [n for n in range(1, 7) if n != level and heading_names(notebook, n)]
    if levels:
        listed = ", ".join(str(n) for n in levels)
        word = "level" if len(levels) == 1 else "levels"
        fix = (f"its headings before code cells are at {word} {listed}: try "
               f"--by-headings={levels[0]}, or tag cells with 'stage:NAME' yourself")
    else:
        fix = ("nor at any other level: add some ('## Load data'), tag cells with 'stage:NAME' "
               "yourself, or leave out --by-headings for a pipeline of one stage")
    return f"has no level-{level} markdown headings before code cells; {fix}"


def group(notebook: Notebook, by_headings: int | None = None) -> Grouping:
    diags: list[Diagnostic] = []
    roles: dict[int, CellRole] = {}
    headings = heading_names(notebook, by_headings) if by_headings else {}
    if by_headings and not headings and notebook.code_cells:
        diags.append(Diagnostic("no-headings", Severity.ERROR,
                                missing_headings(notebook, by_headings)))
    parameters_cell: int | None = None
    order: list[str] = []
    members: dict[str, list[int]] = {}
    markdown: dict[str, list[int]] = {}
    after: dict[str, list[str]] = {}
    started: dict[str, int] = {}
    current: str | None = None
    pending_markdown: list[int] = []
    leading: list[int] = []  # code cells before the first stage tag
    for cell in notebook.cells:
        if not cell.is_code:
            if cell.cell_type == "markdown":
                pending_markdown.append(cell.index)
            continue
        role = read_tags(cell.tags)
        if cell.index in headings and role.stage is None:
            role = replace(role, stage=headings[cell.index])
        roles[cell.index] = role
        for p in role.problems:
            diags.append(Diagnostic("bad-tag", Severity.ERROR, p.message, cell.index))
        if role.parameters and parameters_cell is None:
            parameters_cell = cell.index
        elif role.parameters:
            diags.append(Diagnostic(
                "second-parameters-cell", Severity.ERROR,
                f"a second cell is tagged 'parameters' (the first is {cell_name(parameters_cell)}); "
                "papermill uses only one: merge them or remove the tag", cell.index))
        if role.stage is not None and role.stage != current:
            if role.stage in members:
                diags.append(Diagnostic(
                    "stage-split", Severity.ERROR,
                    f"stage '{role.stage}' starts again here after other stages (it started at "
                    f"{cell_name(started[role.stage])}); a stage is one run of cells: rename one of "
                    "them or move the cells together", cell.index))
            else:
                order.append(role.stage)
                members[role.stage] = []
                markdown[role.stage] = []
                after[role.stage] = []
                started[role.stage] = cell.index
            current = role.stage
        if current is None:
            leading.append(cell.index)
        else:
            markdown[current].extend(pending_markdown)
        pending_markdown = []
        if role.skip:
            continue
        if current is not None:
            members[current].append(cell.index)
        for a in role.after:
            target = current
            if target is None:
                continue
            if a not in after[target]:
                after[target].append(a)
    if current is not None:
        markdown[current].extend(pending_markdown)
    if not roles:
        diags.append(Diagnostic(
            "no-code", Severity.ERROR,
            "has no code cells, so there is nothing to turn into a pipeline. Check that this is "
            "the notebook you meant, or add the code cells (tagged 'stage:NAME') to convert"))
        return Grouping((), roles, parameters_cell, tuple(diags))
    if not order:
        order.append("main")
        members["main"], markdown["main"], after["main"], started["main"] = [], [], [], leading[0]
    first = order[0]
    members[first][:0] = [i for i in leading if not roles[i].skip]
    for name in order:
        for a in after[name]:
            if a not in members:
                diags.append(Diagnostic(
                    "unknown-after", Severity.ERROR,
                    f"'after:{a}' names no stage; the stages are: {', '.join(order)}",
                    started[name]))
            elif order.index(a) > order.index(name):
                diags.append(Diagnostic(
                    "after-later-stage", Severity.ERROR,
                    f"stage '{name}' is ordered after '{a}', which comes later in the notebook; "
                    f"move stage '{a}' before '{name}' or drop the tag", started[name]))
    stages = tuple(
        StageCells(n, tuple(members[n]), tuple(sorted(markdown[n])),
                   tuple(a for a in after[n] if a in members and a != n), started[n])
        for n in order
    )
    empty = [s.name for s in stages if not s.code]
    for name in empty:
        diags.append(Diagnostic(
            "empty-stage", Severity.ERROR,
            f"stage '{name}' has no code cells outside 'skip' cells", started[name]))
    return Grouping(stages, roles, parameters_cell, tuple(diags))
