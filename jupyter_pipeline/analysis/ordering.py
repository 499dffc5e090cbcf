"""Order problems only visible once every stage has been folded: a stage reading a value that
only a later stage or a skipped cell sets, or a file that a later stage overwrites."""

from __future__ import annotations

from typing import Iterable, Mapping

from ..model.diagnostics import Diagnostic, Severity, cell_name
from .facts import Bind, CellFacts, Define, Import


def order_problems(
    order: list[str],
    writes: Mapping[str, Iterable[str]],  # stage -> names it binds or changes
    pending_reads: Iterable[tuple[str, str, int, int]],  # (name, stage, cell, line) never bound
    file_reads: Iterable[tuple[str, str, int]],  # (path, stage, cell) with no earlier writer
    file_writer: Mapping[str, tuple[str, int]],  # path -> (stage, cell)
    skipped: Mapping[int, CellFacts],
) -> list[Diagnostic]:
    diags: list[Diagnostic] = []
    skip_binders: dict[str, int] = {}
    for cell, facts in sorted(skipped.items()):
        for effect in facts.effects:
            if isinstance(effect, (Bind, Define, Import)):
                skip_binders.setdefault(effect.name, cell)
    rank = {name: i for i, name in enumerate(order)}
    first_binder: dict[str, str] = {}
    for stage in order:
        for var in writes.get(stage, ()):
            first_binder.setdefault(var, stage)
    for var, stage, cell, line in pending_reads:
        skip_cell = skip_binders.get(var)
        if skip_cell is not None and skip_cell < cell:
            diags.append(Diagnostic(
                "needs-skipped-cell", Severity.ERROR,
                f"stage '{stage}' reads '{var}', which only the skipped {cell_name(skip_cell)} sets; "
                "the pipeline leaves that cell out. Remove its 'skip' tag, or set "
                f"'{var}' in a stage", cell, line))
            continue
        later = first_binder.get(var)
        if later is not None and rank[later] > rank[stage]:
            diags.append(Diagnostic(
                "needs-later-stage", Severity.ERROR,
                f"stage '{stage}' reads '{var}', which is first set in the later stage "
                f"'{later}'. Top to bottom this cell would fail (the notebook was run out of "
                f"order): move the cell that sets '{var}' before this one, or this cell after it",
                cell, line))
    for path, stage, cell in file_reads:
        writer = file_writer.get(path)
        if writer is not None and rank[writer[0]] > rank[stage]:
            diags.append(Diagnostic(
                "file-read-before-write", Severity.ERROR,
                f"stage '{stage}' reads '{path}', which the later stage '{writer[0]}' "
                f"({cell_name(writer[1])}) overwrites; DVC would run '{writer[0]}' first. Write to "
                "another file name", cell))
    return diags
