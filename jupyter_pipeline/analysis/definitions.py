"""The fold's handling of functions and classes used by a later stage than the one that defines
them: they are defined again from source there, so what they read is read at the call, and what
re-defining cannot reproduce (decorators that register, a definition changed in place, reads
rebound since) is a diagnostic."""

from __future__ import annotations

from dataclasses import replace

from ..model.diagnostics import Diagnostic, Severity, cell_name
from ..model.pipeline import Reemit
from .bindings import Binding, is_runtime_name
from .facts import CellFacts, Definition, Drawing, Mutate
from .fold_state import FoldState


class DefinitionUses(FoldState):
    """Part of flows._Fold: functions and classes used where they were not defined."""

    def classes_for_loaded_values(self) -> None:
        """A loaded value may be an instance of a class the notebook defined earlier; unpickling
        it needs the class, so every such class is defined again here (with what it reads)."""
        # From the names of classes the fold keeps (FoldState.class_names): the environment
        # holds every name of the notebook, and this runs for each stage that loads a value.
        for name in sorted(self.class_names):
            binding = self.env[name]
            if binding.stage != self.flow.name and name not in self.flow.definitions:
                self.use_definition(name, binding, binding.line, set(), maybe=True)

    def definition_problem(self, code: str, message: str, binding: Binding, line: int,
                           maybe: bool) -> None:
        """An error at the use; only a warning, at the definition, when the stage merely may
        load instances of it (`maybe`)."""
        severity = Severity.WARNING if maybe else Severity.ERROR
        where = (binding.cell, binding.line) if maybe else (self.cell, line)
        self.diagnostics.append(Diagnostic(code, severity, message, *where))

    def use_definition(self, name: str, binding: Binding, line: int, seen: set[str],
                       maybe: bool = False) -> None:
        """A reference to a function or class: its globals are read here, with today's values.
        `maybe`: only defined again in case a loaded value is an instance of it."""
        if name in seen:
            return
        seen.add(name)
        d = binding.definition
        assert d is not None
        if binding.stage != self.flow.name and name not in self.flow.definitions:
            late = any(self.start_env.get(r) is not None and self.start_env[r].kind == "value"
                       for r in d.def_reads)
            self.flow.definitions[name] = Reemit(d.name, d.kind, d.source, binding.cell, late)
            self.decorators_run_again(name, binding, line, maybe)
            self.changed_definition(name, binding, line, maybe)
            for r in sorted(d.def_reads):
                if not is_runtime_name(r):
                    self.definition_read(name, binding, r, line, seen, maybe)
        for r in sorted(d.reads):
            if not is_runtime_name(r):
                self.read(r, line, quiet=True, _seen=seen)
        for m in sorted(d.mutates):
            self.apply(Mutate(m, line))
        for drawn in sorted(d.drawn):  # `def show(): ax.hist(v)`: draws on a global's axes
            self.apply(Mutate(drawn, line, Drawing("plot")))
        for call, name in d.module_calls:  # `helpers.clean(df)` in its body, df a global
            if name not in d.params and name in d.reads and self.library_may_change(call):
                self.apply(Mutate(name, line))
        for b in sorted(d.binds):
            self.read(b, line, quiet=True)
            self.rebind(b, line, Binding("value", self.flow.name, self.cell, line))
        if d.keeps_state and (not maybe or d.kind == "class"):
            # (an instance loaded here may change its class, or see it changed before)
            self.state_used(d.name, binding, line, maybe)
        if not maybe:
            if d.dynamic:  # `def get(): return eval("secret")`
                self.dynamic(line)
            for call in d.seeds:
                self.seed(call, line)
            for made in d.settings:
                self.setting(made, line, inside=name, local_names=d.local_names)
            if d.calls:  # files it reads or writes count where it is called
                self.files(CellFacts(calls=tuple(replace(c, line=line) for c in d.calls)),
                           self.cell)

    def changed_definition(self, name: str, binding: Binding, line: int, maybe: bool) -> None:
        """A class or function changed in place (a class attribute set, a counter on it) cannot
        be handed over: classes and functions cross stages as source, which starts afresh."""
        if binding.changed_at is None or binding.changed_at[0] == self.flow.name:
            return
        stage, cell, at = binding.changed_at
        self.definition_problem(
            "definition-changed",
            f"stage '{self.flow.name}' uses '{name}' from {cell_name(binding.cell)}, which stage "
            f"'{stage}' changes in place ({cell_name(cell)}, line {at}); nb2pipe defines '{name}' "
            f"again from its source here, without that change. Keep the code that changes "
            f"'{name}' and the code that uses it in one stage, or keep the changing state in a "
            f"variable of its own",
            binding, line, maybe)

    def state_used(self, name: str, binding: Binding, line: int, maybe: bool = False) -> None:
        """A function that keeps state between calls (a mutable default its body changes, a
        cache decorator) is a fresh copy in each stage that defines it again: refused where a
        stage uses it after another stage may have changed that state."""
        first = binding.state_used_in
        if first is not None and first[0] != self.flow.name:
            stage, cell, at = first
            d = binding.definition
            assert d is not None
            # A cache changes results only through side effects or a shared result changed
            # later (most cached functions are pure): a warning for a pure body; one that
            # changes globals, files, generators or settings runs again where the notebook
            # took the cached result (an error, as a changed default is).
            effects = _side_effects(d)
            cached = d.keeps_state.startswith("it is cached")
            why = d.keeps_state + (f", and its body {effects}" if cached and effects else "")
            uses = "may load instances of" if maybe else "uses"
            self.diagnostics.append(Diagnostic(
                "definition-keeps-state",
                Severity.WARNING if maybe or (cached and not effects) else Severity.ERROR,
                f"stage '{self.flow.name}' {uses} '{name}', which keeps state between calls "
                f"({why}) and was already used by stage '{stage}' ({cell_name(cell)}, line "
                f"{at}); nb2pipe defines '{name}' again from its source here, with that state "
                f"empty. Keep the uses of '{name}' in one stage, or keep the state in a "
                f"variable of its own (pass it in, return it)",
                *((binding.cell, binding.line) if maybe else (self.cell, line))))
            return
        if first is None and not maybe:
            binding.state_used_in = (self.flow.name, self.cell, line)

    def decorators_run_again(self, name: str, binding: Binding, line: int, maybe: bool) -> None:
        """Defining a function again runs its decorators again; one that changes a value
        (`@registry.append`, or a notebook function that does) would change it twice."""
        d = binding.definition
        assert d is not None
        changes = {c: f"'@{c}...'" for c in sorted(d.decorator_changes)
                   if self.start_env.get(c) is not None
                   and self.start_env[c].kind in ("value", "param")}  # not a module's function
        for deco in d.decorators:
            found = self.start_env.get(deco)
            if found is not None and found.kind == "definition" and found.definition is not None:
                for c in sorted(found.definition.immediate_changes):
                    changes.setdefault(c, f"'{deco}'")
        if not changes:
            return
        what = ", ".join(f"{by} may change '{c}'" for c, by in changes.items())
        self.definition_problem(
            "decorator-runs-again",
            f"stage '{self.flow.name}' uses '{name}' from {cell_name(binding.cell)} and so defines it "
            f"again, which runs its decorators again: {what}, so the stage would see that "
            f"change twice where the notebook made it once. Keep '{name}' and its uses in one "
            f"stage (define it where it is called, or call it where it is defined)",
            binding, line, maybe)

    def definition_read(self, name: str, binding: Binding, read: str, line: int,
                        seen: set[str], maybe: bool) -> None:
        """What a re-defined function or class reads when its definition runs (at the start of
        this stage): the value then, which must still be the one the notebook's definition saw."""
        if self.start_generation.get(read, 0) != (binding.def_generations or {}).get(read, 0):
            uses = "may load instances of" if maybe else "uses"
            self.definition_problem(
                "definition-reads-rebound",
                f"stage '{self.flow.name}' {uses} '{name}' from {cell_name(binding.cell)} and so "
                f"defines it again, but its decorators, default arguments or class body read "
                f"'{read}', which was rebound after that definition: the stage's '{name}' would "
                f"differ from the notebook's. Keep '{name}' and its uses in one stage, or read a "
                f"name there that is not rebound later",
                binding, line, maybe)
            return
        start = self.start_env.get(read)
        if start is None:
            return
        if start.kind == "value":
            self.flow.needs.setdefault(read, start.stage)
        elif start.kind == "param":
            self.flow.params[read] = None
        elif start.kind == "import":
            self.flow.imports[start.statement or ""] = None
        elif start.kind == "definition":
            self.use_definition(read, start, line, seen, maybe)


def _side_effects(d: Definition) -> str:
    """What calling the function does besides returning a value ("changes 'calls'"), or ""."""
    effects = []
    changed = sorted(d.binds | d.mutates)
    if changed:
        effects.append("changes " + ", ".join(f"'{n}'" for n in changed))
    if d.seeds:
        effects.append("seeds a random generator")
    if d.dynamic:
        effects.append(f"calls {d.dynamic}")
    return " and ".join(effects)
