"""What the fold (flows.py) tracks: what a name refers to at a point in the notebook, and what
it finds for each stage."""

from __future__ import annotations

import builtins
import re
from dataclasses import dataclass, field

from ..model.pipeline import Reemit
from .dvclive import LiveLogger, LiveLogging
from .facts import Definition

_IPYTHON_NAME = re.compile(r"_{1,3}\Z|_\d+\Z|_i{1,3}\Z|_i\d+\Z|_ih\Z|_oh\Z|_dh\Z|_nb2pipe\w*\Z")
BUILTINS = frozenset(dir(builtins))
# Names IPython puts in the namespace. A notebook may bind them itself (`display = ...`, `Out`
# as a folder name): then they are ordinary variables; unbound, a read of one is IPython's.
IPYTHON_GLOBALS = frozenset({"In", "Out", "exit", "quit", "display"})


def is_runtime_name(name: str) -> bool:
    """IPython's and nb2pipe's own names, never handed over (the `_`, `_3`, `_i` history)."""
    return name == "get_ipython" or bool(_IPYTHON_NAME.match(name))


@dataclass
class Binding:
    """What a name refers to at a point in the notebook."""

    kind: str  # "value", "param", "import", "definition", "deleted"
    stage: str  # the stage that last wrote it ("" for parameters)
    cell: int
    line: int
    statement: str | None = None  # import statement
    definition: Definition | None = None
    literal: str | None = None  # string constant, for file paths built from it
    immutable: bool = False  # bound to a constant: nothing can change it in place
    # A definition's: how often each name its decorators, defaults and bases read had been
    # rebound when it ran, to tell whether a re-definition in a later stage sees the same values.
    def_generations: dict[str, int] | None = None
    # A definition's: where it was last changed in place (`Counter.total += 1`), which a stage
    # that defines it again from its source would not see.
    changed_at: tuple[str, int, int] | None = None
    # A definition that keeps state between calls: where it was first used (stage, cell, line)
    state_used_in: tuple[str, int, int] | None = None
    cannot_cross: str = ""  # why the value cannot be saved for a later stage, or ""
    # A value's: bound by a def / class inside an if / try (cannot be re-defined from source,
    # nor saved); "fallback" when another branch of the cell binds it otherwise (an import).
    branch_definition: str | None = None
    # A value's: bound on some paths only (in a branch or loop, with no binding before), so
    # saved only when bound.
    maybe_unbound: bool = False
    figure: bool = False  # a value's: a figure or axes, which `plot` / `hist` draw on
    no_copy: bool = False  # a value's: made with `copy=False` (facts.Bind.no_copy)
    # a value's: the expression on a module it was made by (facts.Bind.handle), and its reads
    handle: str = ""
    handle_reads: frozenset[str] = frozenset()
    # a value's: its literal source while nothing changed it in place (facts.Bind.literal_source)
    literal_source: str = ""


@dataclass
class StageFlow:
    """What the fold found for one stage (turned into model.pipeline.Stage by analyze.py)."""

    name: str
    needs: dict[str, str] = field(default_factory=dict)  # name -> producer stage
    params: dict[str, None] = field(default_factory=dict)
    imports: dict[str, None] = field(default_factory=dict)
    settings: dict[str, None] = field(default_factory=dict)  # statements, in order
    # settings that read notebook values, and every setting after them: made after the loads
    settings_after_loads: dict[str, None] = field(default_factory=dict)
    definitions: dict[str, Reemit] = field(default_factory=dict)
    writes: dict[str, None] = field(default_factory=dict)  # names bound or changed here
    outs: dict[str, None] = field(default_factory=dict)
    out_cells: dict[str, list[int]] = field(default_factory=dict)  # out -> the cells writing it
    live: list[LiveLogger] = field(default_factory=list)  # dvclive's Live(...) calls
    live_logging: LiveLogging = LiveLogging()
    data_deps: dict[str, None] = field(default_factory=dict)
    file_inputs: dict[str, str] = field(default_factory=dict)  # path -> producer
    metrics: dict[str, None] = field(default_factory=dict)
    uses_ipython: bool = False
    maybe_unbound: dict[str, None] = field(default_factory=dict)  # of writes, at the end
    after: dict[str, None] = field(default_factory=dict)  # stages to run after, no value
