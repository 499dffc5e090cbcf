"""The pipeline IR: what every exporter consumes. Pure values, in notebook order."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from .declared import Plot
from .diagnostics import Diagnostic


# Hidden module state (a global random generator) crosses stages under a name no variable can
# have: "@" + module (analysis/knowledge.py's SEEDING_CALLS says which calls change it).
def is_module_state(name: str) -> bool:
    return name.startswith("@")


def value_expression(name: str, runtime: str = "_nb2pipe") -> str:
    """Python for the value saved under `name`: the variable, or the module's state."""
    return f'{runtime}.module_state("{name}")' if is_module_state(name) else name


def saved_values(names: Iterable[str], maybe_unbound: Iterable[str] = (),
                 runtime: str = "_nb2pipe") -> str:
    """Python for the dict of values a stage saves. A name bound on some paths only is in it
    only when bound (the stage must not die with NameError where the notebook did not)."""
    maybe = set(maybe_unbound)
    entries = []
    for name in names:
        entry = f'"{name}": {value_expression(name, runtime)}'
        entries.append(f'**({{{entry}}} if "{name}" in globals() else {{}})' if name in maybe
                       else entry)
    return "{" + ", ".join(entries) + "}"


def load_statement(name: str, call: str, runtime: str = "_nb2pipe") -> str:
    """Python that puts a loaded value (`call`) back: into the variable, or into the module."""
    if is_module_state(name):
        return f'{runtime}.set_module_state("{name}", {call})'
    return f"{name} = {call}"


@dataclass(frozen=True)
class Param:
    """One pipeline parameter from the `parameters` cell."""

    name: str
    value: Any  # a literal: int, float, str, bool, None, list, dict
    cell: int
    line: int


@dataclass(frozen=True)
class Need:
    """A value the stage loads: the version `producer` handed on."""

    name: str
    producer: str
    # Bound on some paths only (an `if` branch, a loop body): the producer saves it only when
    # bound, and this stage leaves it unbound when it was not, as the notebook does.
    maybe_unbound: bool = False


@dataclass(frozen=True)
class Reemit:
    """A function or class from an earlier stage, defined again from its source in this stage."""

    name: str
    kind: str  # "function", "class" or "lambda"
    source: str
    cell: int
    after_loads: bool  # its definition reads handed-over values, so it runs after they load


@dataclass(frozen=True)
class FileInput:
    """A file an earlier stage writes by literal path and this stage reads."""

    path: str
    producer: str


@dataclass(frozen=True)
class Stage:
    name: str
    cells: tuple[int, ...]  # code cells (notebook indices), skip cells left out
    markdown: tuple[int, ...] = ()  # markdown cells inside the stage's range, kept for reading
    needs: tuple[Need, ...] = ()
    hands_on: tuple[str, ...] = ()
    params: tuple[str, ...] = ()
    imports: tuple[str, ...] = ()
    # Library settings made by earlier stages (analysis/knowledge.py's SETTINGS), with the
    # imports they need, in order
    settings: tuple[str, ...] = ()
    # Settings that read notebook values the stage loads (`pd.set_option(..., n)`), and every
    # setting made after them in the notebook: made after the stage's loads, in order
    settings_after_loads: tuple[str, ...] = ()
    definitions: tuple[Reemit, ...] = ()
    data_deps: tuple[str, ...] = ()  # files read that no stage writes (the raw data)
    file_inputs: tuple[FileInput, ...] = ()
    outs: tuple[str, ...] = ()  # files written by literal path
    after: tuple[str, ...] = ()  # explicit `after:` ordering
    metrics: tuple[str, ...] = ()  # values of `metrics` cells nb2pipe saves as metrics itself
    # What DVC shows as metrics / plots (model/declared.py): files among `outs` and the files
    # dvclive writes; dvc.yaml lists them under `metrics:` / `plots:` instead of `outs:`
    metrics_files: tuple[str, ...] = ()
    plots: tuple[Plot, ...] = ()
    uses_ipython: bool = False
    # Of hands_on and metrics: names bound on some paths only, saved only when bound.
    maybe_unbound: tuple[str, ...] = ()

    @property
    def upstream(self) -> tuple[str, ...]:
        """Every stage this one must run after, in first-seen order."""
        names: dict[str, None] = {}
        for n in self.needs:
            names[n.producer] = None
        for f in self.file_inputs:
            names[f.producer] = None
        for a in self.after:
            names[a] = None
        names.pop(self.name, None)
        return tuple(names)

    @property
    def first_cell(self) -> int:
        return self.cells[0] if self.cells else -1


@dataclass(frozen=True)
class Pipeline:
    notebook: str
    stages: tuple[Stage, ...]
    params: tuple[Param, ...] = ()
    parameters_cell: int | None = None
    kernel: str | None = None
    diagnostics: tuple[Diagnostic, ...] = field(default=())

    def stage(self, name: str) -> Stage:
        for s in self.stages:
            if s.name == name:
                return s
        raise KeyError(name)

    @property
    def param_values(self) -> dict[str, Any]:
        return {p.name: p.value for p in self.params}
