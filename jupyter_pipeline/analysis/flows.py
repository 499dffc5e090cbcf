"""Fold the cells' effects in notebook order into what each stage needs and hands on.

The promise: the pipeline computes what the notebook computes top to bottom. Each stage receives
the version of a name that is live at its position (the nearest earlier writer, where "write"
includes an in-place change); when unsure, a value is handed over (an extra edge costs a little
time, a missing one gives stale data).
"""

from __future__ import annotations

import re
from typing import Mapping

from ..model.declared import holds_metrics
from ..model.diagnostics import Diagnostic, Severity, cell_name
from ..model.pipeline import Param, is_module_state
from . import dvclive
from .artifacts import resolve_path
from .bindings import BUILTINS, IPYTHON_GLOBALS, Binding, StageFlow, is_runtime_name
from .call_effects import CallEffects
from .definitions import DefinitionUses
from .file_flows import FileFlows
from .facts import (Alias, Bind, CallArgument, Callback, CellFacts, Define, Delete,
                    Drawing, Dynamic, Effect, Import, Mutate, Read, Seed, Setting, Star, Store)
from .held_objects import HeldObjects, cannot_cross_reason
from .knowledge import PURE_CALLS
from .ordering import order_problems
from .own_modules import OwnModules, written_modules
from .process_state import ProcessState

# IPython's history of shown values: `_`, `__`, `___`, `_1`, `_12`.
LAST_RESULTS = re.compile(r"^(_{1,3}|_\d+)$")


class _Fold(DefinitionUses, ProcessState, OwnModules, FileFlows, CallEffects, HeldObjects):
    """The fold's operations; its state is fold_state.FoldState, declared there."""

    def run_stage(self, name: str, cells: tuple[int, ...], metrics_cells: set[int]) -> StageFlow:
        flow = self.start_stage(name)
        for star in self.stars:
            flow.imports[star] = None
        self.carry_module_states(cells[0] if cells else -1)
        self.made_again(flow)
        for mover in self.cwd_stages:  # `os.chdir("sub")` made again: "sub" must exist
            if mover != name:
                flow.after[mover] = None
        self.cell = cells[0] if cells else -1
        self.replay_module_files()
        for cell in cells:
            self.cell = cell
            facts = self.facts[cell]
            flow.uses_ipython |= facts.uses_ipython
            for effect in facts.effects:
                self.apply(effect)
            self.files(facts, cell)
            written = [p for p, by in self.flow.out_cells.items() if cell in by]
            if facts.shows_result:
                self.result_stage = self.flow.name
            # A metrics cell that writes its own metrics file (or logs to dvclive) has it
            # declared; nb2pipe writes no second copy of its values.
            logs_to_dvclive = any(logger.dir is not None for logger in self.flow.live) \
                and dvclive.logging(facts.calls).metrics  # not mlflow.log_metric, say
            if cell in metrics_cells and not any(holds_metrics(p) for p in written) \
                    and not logs_to_dvclive:
                for named in facts.named:
                    binding = self.env.get(named)
                    if binding is not None and binding.kind in ("value", "param") \
                            and not is_runtime_name(named):
                        flow.metrics[named] = None
        if any(not is_module_state(n) for n in flow.needs):
            self.classes_for_loaded_values()
        flow.maybe_unbound = {n: None for n in flow.writes if self.env[n].maybe_unbound}
        return flow

    def apply(self, effect: Effect) -> None:
        match effect:
            case Star(statement=statement) if not self.star_imported(effect):
                self.stars[statement] = None  # names unknown: made again in every later stage
            case Star():
                return
            case Dynamic(line=line):
                self.dynamic(line)
            case Read(name, line) if LAST_RESULTS.match(name):
                self.last_result(name, line)
            case _ if is_runtime_name(effect.name):
                return
            case Read(name, line, soft):
                self.read(name, line, quiet=soft)
            case Bind():
                self.bind(effect)
            case Mutate(name, line, Drawing()):
                binding = self.env.get(name)
                if binding is not None and binding.figure:
                    self.mutate(name, line)  # `ax.plot(...)` draws on the axes
                else:
                    self.read(name, line)  # `df.plot()` leaves df as it was
            case Mutate(name, line, Callback(), shallow):
                self.mutate(name, line, definitions=False, shallow=shallow)
            case Mutate(name, line, via, shallow):
                if via is not None and not self.argument_may_change(via, name):
                    self.read(name, line)
                else:
                    # A library given a notebook function (a callback, `build_fn=`) may
                    # change what it is given, but not the function's own definition.
                    self.mutate(name, line, definitions=via is None or not self.by_library(via),
                                shallow=shallow)
            case Alias(name, line, roots, elements=True):
                self.element_alias(name, line, roots)
            case Alias(name, line, roots):
                self.alias(name, line, roots)
            case Delete(name, line):
                self.read(name, line)  # `del x` fails on an unbound x: the stage must have x
                self.generation[name] = self.generation.get(name, 0) + 1
                self.env[name] = Binding("deleted", self.flow.name, self.cell, line)
                self.class_names.pop(name, None)
                self.local.discard(name)
                self.flow.writes.pop(name, None)
                self.unalias(name)
            case Define(name, line, definition):
                generations = {r: self.generation.get(r, 0) for r in definition.def_reads}
                self.rebind(name, line, Binding("definition", self.flow.name, self.cell, line,
                                                 definition=definition,
                                                 def_generations=generations))
                self.local.add(name)
                self.unalias(name)
                if definition.registered_by:
                    self.registered(definition, line)
            case Import(name, line, statement):
                self.rebind(name, line, Binding("import", self.flow.name, self.cell, line,
                                                 statement=statement))
                self.local.add(name)
                self.imported(statement, line)
            case Store(name, line, held):
                self.stored(name, held)
            case Seed(name, line):
                self.seed(name, line)
            case Setting():
                self.setting(effect)

    def last_result(self, name: str, line: int) -> None:
        """IPython's `_`, `__`, `_N` hold the values earlier cells showed. Each stage is a new
        kernel: one shown by another stage's cell is not there (`_` is empty)."""
        if self.result_stage == self.flow.name and name == "_":
            return
        self.diagnostics.append(Diagnostic(
            "last-result", Severity.ERROR,
            f"'{name}' is IPython's copy of a value an earlier cell showed"
            + (f" (here a cell of stage '{self.result_stage}')" if self.result_stage else "")
            + f"; stage '{self.flow.name}' runs in a kernel of its own, where '{name}' does not "
            f"hold it. Assign the value to a name in the cell that makes it, and use that name",
            self.cell, line))

    def bind(self, effect: Bind) -> None:
        name, line = effect.name, effect.line
        if not effect.definite and name not in self.local:
            self.read(name, line, quiet=True)  # the branch may not run: old value survives
        old = self.env.get(name)
        # Bound on some paths only: where nothing bound it before, it may stay unbound.
        maybe_unbound = not effect.definite and name not in self.local and (
            old is None or old.kind == "deleted" or old.maybe_unbound)
        same_cell = old is not None and old.cell == self.cell and old.stage == self.flow.name
        if effect.branch_definition:
            branch_definition = "fallback" if same_cell and old.kind != "definition" \
                and old.branch_definition is None else "only"
        else:
            branch_definition = "fallback" if same_cell and old.branch_definition else None
        literal, immutable = effect.literal, effect.immutable
        if literal is None and effect.literal_path is not None and effect.definite:
            literal = resolve_path(effect.literal_path, self.literal)
            immutable = literal is not None  # a str or a pathlib path: nothing changes it
        reason = cannot_cross_reason(self.env, effect)
        root = self.env.get(effect.handle.split(".", 1)[0].split("(", 1)[0]) \
            if effect.handle else None
        on_module = root is not None and root.kind == "import" and effect.definite
        self.rebind(name, line, Binding("value", self.flow.name, self.cell, line,
                                         cannot_cross=reason,
                                         literal=literal, immutable=immutable,
                                         branch_definition=branch_definition,
                                         maybe_unbound=maybe_unbound, figure=effect.figure,
                                         no_copy=effect.no_copy,
                                         handle=effect.handle if on_module else "",
                                         handle_reads=effect.handle_reads,
                                         literal_source=effect.literal_source
                                         if effect.definite else ""))
        if effect.definite:
            self.local.add(name)
        self.unalias(name)

    def mutate(self, name: str, line: int, definitions: bool = True,
               shallow: bool = False) -> None:
        """The object under `name` may change in place, and so every name sharing it.
        `definitions`: a function or class among them counts as changed (`f.calls += 1`).
        `shallow`: only the container changes (`b.append(x)`), not the elements it holds."""
        for target in self.change_closure(name, shallow):
            binding = self.env.get(target)
            if binding is not None and binding.kind == "definition" and definitions:
                binding.changed_at = (self.flow.name, self.cell, line)
            if binding is None or binding.kind not in ("value", "param"):
                continue
            if binding.immutable:
                if target == name:
                    self.read(target, line, quiet=True)
                continue
            self.read(target, line, quiet=True)
            self.write(target, line, Binding("value", self.flow.name, self.cell, line,
                                             maybe_unbound=binding.maybe_unbound,
                                             figure=binding.figure,
                                             cannot_cross=binding.cannot_cross,
                                             no_copy=binding.no_copy, handle=binding.handle,
                                             handle_reads=binding.handle_reads))

    def element_alias(self, name: str, line: int, roots: frozenset[str]) -> None:
        """`b = list(a)`: b is a new container holding a's elements. Later stages must load
        both from one handoff (pickled together), as for a full alias, or a change to an
        element through b would miss a's copy."""
        for root in roots:
            binding = self.env.get(root)
            if root == name or binding is None or binding.immutable \
                    or binding.kind not in ("value", "param"):
                continue
            self.element_aliases.setdefault(name, set()).add(root)
            self.element_aliases.setdefault(root, set()).add(name)
            if binding.stage != self.flow.name:
                self.write(root, line, Binding("value", self.flow.name, self.cell, line,
                                                literal=binding.literal,
                                                maybe_unbound=binding.maybe_unbound,
                                                figure=binding.figure,
                                                cannot_cross=binding.cannot_cross))

    def alias(self, name: str, line: int, roots: frozenset[str]) -> None:
        for root in roots:
            binding = self.env.get(root)
            if root != name and not (binding is not None and binding.immutable):
                self.aliases.setdefault(name, set()).add(root)
                self.aliases.setdefault(root, set()).add(name)
                if binding is not None and binding.kind in ("value", "param") \
                        and binding.stage != self.flow.name:
                    # From here on the two share objects, so later stages must load both
                    # from one stage's handoff (pickled together); `root` loaded from an
                    # older stage would be a separate copy that misses changes made
                    # through the new name.
                    self.write(root, line, Binding("value", self.flow.name, self.cell, line,
                                                    literal=binding.literal,
                                                    maybe_unbound=binding.maybe_unbound,
                                                    figure=binding.figure,
                                                    cannot_cross=binding.cannot_cross))

    def read(self, name: str, line: int, quiet: bool = False, _seen: set | None = None) -> None:
        """The current stage reads `name` here."""
        binding = self.env.get(name)
        if binding is None:
            if name in IPYTHON_GLOBALS:
                return  # IPython's own `display`, `In`...
            if name in self.params:
                self.flow.params[name] = None
            elif not quiet and self.dynamic_stage is not None and name not in BUILTINS:
                # No statement binds it, so the notebook's globals() / exec / eval must have:
                # the value comes from the last stage that ran such code.
                if self.dynamic_stage != self.flow.name:
                    self.flow.needs.setdefault(name, self.dynamic_stage)
            elif not quiet:
                self.pending_reads.append((name, self.flow.name, self.cell, line))
            return
        self.skipped_change(name, binding, line)
        if binding.kind == "deleted":
            if not quiet and name not in self.local:
                self.diagnostics.append(Diagnostic(
                    "read-after-del", Severity.ERROR,
                    f"'{name}' is read here, but it was deleted with 'del {name}' in stage "
                    f"'{binding.stage}' ({cell_name(binding.cell)}, line {binding.line}); remove the "
                    "del or the read", self.cell, line))
            return
        if binding.kind == "definition":
            self.use_definition(name, binding, line, _seen or set())
            return
        if binding.kind == "import":
            self.import_used(binding, line)
        if name in self.local or binding.stage == self.flow.name:
            return
        if binding.kind == "import":
            self.flow.imports[binding.statement or ""] = None
        elif binding.kind == "param":
            self.flow.params[name] = None
        else:
            if binding.branch_definition and name not in self.flow.needs:
                self.diagnostics.append(Diagnostic(
                    "conditional-definition",
                    Severity.WARNING if binding.branch_definition == "fallback"
                    else Severity.ERROR,
                    f"stage '{self.flow.name}' uses '{name}', which {cell_name(binding.cell)} defines "
                    f"inside an if / try (line {binding.line}); nb2pipe re-defines functions and "
                    f"classes in later stages from their source, which it cannot do for one "
                    f"defined in a branch, and it cannot save one either. Define '{name}' at "
                    f"the top level of its cell (make the choice inside it), or keep its uses in "
                    f"stage '{binding.stage}'", self.cell, line))
            if binding.cannot_cross and name not in self.flow.needs:
                self.diagnostics.append(Diagnostic(
                    "cannot-cross", Severity.ERROR,
                    f"stage '{self.flow.name}' uses '{name}', which is {binding.cannot_cross} "
                    f"(from {cell_name(binding.cell)}, line {binding.line}, stage "
                    f"'{binding.stage}'): it cannot be saved for another stage. Keep the code "
                    f"that makes '{name}' and the code that uses it in one stage, or make "
                    f"'{name}' again in stage '{self.flow.name}'", self.cell, line))
            self.flow.needs.setdefault(name, binding.stage)

    def skipped_change(self, name: str, binding: Binding, line: int) -> None:
        """A `skip` cell between the binding and this read changes the name: the notebook reads
        the skip cell's version, the pipeline (which leaves the cell out) the earlier one."""
        if binding.kind == "import":
            return
        for skip in self.skip_changes.get(name, ()):
            if binding.cell < skip < self.cell and (name, skip) not in self.skip_warned:
                self.skip_warned.add((name, skip))
                self.diagnostics.append(Diagnostic(
                    "skipped-cell-changes", Severity.WARNING,
                    f"stage '{self.flow.name}' reads '{name}', which the skipped {cell_name(skip)} "
                    f"changes after {cell_name(binding.cell)} set it: top to bottom the notebook reads "
                    f"the skipped cell's version, the pipeline (which leaves that cell out) the "
                    f"one from {cell_name(binding.cell)}. Remove the 'skip' tag, or do not change "
                    f"'{name}' in a skipped cell", self.cell, line))

    def dynamic(self, line: int) -> None:
        """globals()/exec/eval: take every value in, and hand every one on (also the names
        that later stages read and no statement binds)."""
        self.dynamic_stage = self.flow.name
        for name, binding in sorted(self.env.items()):
            if binding.kind in ("value", "param"):
                self.read(name, line, quiet=True)
                self.write(name, line, Binding("value", self.flow.name, self.cell, line,
                                               maybe_unbound=binding.maybe_unbound))




def fold(
    stages: list[tuple[str, tuple[int, ...]]],
    facts: dict[int, CellFacts],
    params: tuple[Param, ...],
    metrics_cells: set[int],
    skipped: dict[int, CellFacts] | None = None,
    local_modules: Mapping[str, str] | None = None,
    module_sources: Mapping[str, str] | None = None,
) -> tuple[dict[str, StageFlow], list[Diagnostic], dict[str, set[str]]]:
    """Run the stages' effects in order; returns flows, diagnostics and hands-on per stage.
    `local_modules`: the notebook's own modules beside it ({module: file}); one written by a
    cell (`%%writefile name.py`) is one too. `module_sources`: {module: source} of those a star
    import imports."""
    state = _Fold(
        params={p.name: p for p in params},
        facts=facts,
        stage_of_cell={c: s for s, cells in stages for c in cells},
        order=[s for s, _ in stages],
        local_modules=dict(local_modules or {}),
        module_sources=dict(module_sources or {}),
    )
    for module, path in written_modules(facts.values()):
        state.local_modules.setdefault(module, path)
    last_cell = max((c for _, cells in stages for c in cells), default=-1)
    for cell, cell_facts in sorted((skipped or {}).items()):
        seeds = [e for e in cell_facts.effects if isinstance(e, Seed)]
        if seeds and cell < last_cell:
            state.diagnostics.append(Diagnostic(
                "skipped-cell-seeds", Severity.WARNING,
                f"the skipped {cell_name(cell)} seeds a random generator ('{seeds[0].name}(...)'): "
                f"top to bottom the cells after it draw from that seed, the pipeline (which "
                f"leaves the cell out) from another state. Remove the 'skip' tag, or seed in "
                f"a cell of the pipeline", cell, seeds[0].line))
        for effect in cell_facts.effects:
            if isinstance(effect, Mutate) and effect.via is not None \
                    and not (isinstance(effect.via, CallArgument)
                             and effect.via.callee not in PURE_CALLS):
                continue  # passed to a method (a plot's, a library's): most only read it
            if isinstance(effect, (Bind, Mutate, Define, Delete)) \
                    and cell not in state.skip_changes.get(effect.name, []):
                state.skip_changes.setdefault(effect.name, []).append(cell)
    for p in params:
        state.env[p.name] = Binding("param", "", p.cell, p.line,
                                     literal=p.value if isinstance(p.value, str) else None,
                                     immutable=not isinstance(p.value, (list, dict)))
    for name, cells in stages:
        state.run_stage(name, cells, metrics_cells)
    state.drop_written_folders()
    state.diagnostics.extend(order_problems(
        state.order, {n: f.writes for n, f in state.flows.items()}, state.pending_reads,
        state.file_reads, state.file_writer, skipped or {}))
    hands_on: dict[str, set[str]] = {name: set() for name, _ in stages}
    for flow in state.flows.values():
        for name, producer in flow.needs.items():
            hands_on[producer].add(name)
    return state.flows, state.diagnostics, hands_on
