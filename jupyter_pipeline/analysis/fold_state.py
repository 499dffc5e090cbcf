"""Everything the fold (flows.py) knows at a point of the notebook, declared in one place.

The fold's parts (flows._Fold, definitions.DefinitionUses, process_state.ProcessState,
own_modules.OwnModules, file_flows.FileFlows, call_effects.CallEffects,
held_objects.HeldObjects) are methods on this state; each reads and changes only the fields declared here, and calls the fold's operations
declared at the end (defined by flows._Fold and its parts)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from ..model.diagnostics import Diagnostic
from ..model.pipeline import Param
from .bindings import Binding, StageFlow
from .facts import CellFacts, Effect


@dataclass(frozen=True, slots=True)
class MadeAgain:
    """A setting every later stage makes again: after the imports it reads, with the
    parameters it reads in the stage's parameters cell."""

    statement: str
    imports: tuple[str, ...] = ()
    params: tuple[str, ...] = ()
    # The notebook values it reads (`pd.set_option("display.max_rows", n)`), each with its
    # binding when the setting ran: a later stage loads them and makes the setting after its
    # loads, while that binding is still the current one (nothing rebound or changed them).
    values: tuple[tuple[str, Binding], ...] = field(default=(), compare=False)
    cell: int = -1  # where the setting is made
    line: int = 0


@dataclass
class FoldState(ABC):
    # -- the notebook, fixed for the whole fold --------------------------------------------
    params: dict[str, Param]
    facts: dict[int, CellFacts]
    stage_of_cell: dict[int, str]
    order: list[str]

    # -- across stages ------------------------------------------------------------------------
    diagnostics: list[Diagnostic] = field(default_factory=list)
    env: dict[str, Binding] = field(default_factory=dict)  # what each name refers to now
    aliases: dict[str, set[str]] = field(default_factory=dict)  # names that share objects
    # names whose containers hold the same elements (`b = list(a)`): see facts.Alias.elements
    element_aliases: dict[str, set[str]] = field(default_factory=dict)
    stars: dict[str, None] = field(default_factory=dict)  # `from m import *` statements
    file_writer: dict[str, tuple[str, int]] = field(default_factory=dict)  # path -> stage, cell
    # (name, stage, cell, line) read with no binding yet: an order problem or a builtin
    pending_reads: list[tuple[str, str, int, int]] = field(default_factory=list)
    file_reads: list[tuple[str, str, int]] = field(default_factory=list)  # path, stage, cell
    flows: dict[str, StageFlow] = field(default_factory=dict)
    generation: dict[str, int] = field(default_factory=dict)  # times each name was rebound
    seeded: dict[str, None] = field(default_factory=dict)  # module states seeded so far
    dynamic_stage: str | None = None  # the last stage with globals() / exec / eval
    settings: list[MadeAgain] = field(default_factory=list)  # each library setting so far
    skip_changes: dict[str, list[int]] = field(default_factory=dict)  # name -> skip cells
    skip_warned: set[tuple[str, int]] = field(default_factory=set)
    maybe_writer: dict[str, str] = field(default_factory=dict)  # path -> stage, under if/try
    # path -> the last stage that gave it to a call which may read or write it (artifacts'
    # "touch"), and folder -> the last stage that made it
    touchers: dict[str, str] = field(default_factory=dict)
    folder_makers: dict[str, str] = field(default_factory=dict)
    # folder -> stages writing files there at paths not known in full ("": anywhere)
    folder_writers: dict[str, dict[str, None]] = field(default_factory=dict)
    # folder -> stages that read files there at paths not known in full, as a DVC dependency
    folder_deps: dict[str, dict[str, None]] = field(default_factory=dict)
    # where each `os.chdir` with a literal path moved, relative to the notebook: (cell, line, to)
    cwd_changes: list[tuple[int, int, str]] = field(default_factory=list)
    # the stages that made those moves: a later stage makes them again, so it runs after them
    # (the folder it moves into may be made there)
    cwd_stages: dict[str, None] = field(default_factory=dict)
    result_stage: str = ""  # the stage of the last cell that showed a value (IPython's `_`)
    # the notebook's own modules {module: file}, and the imports of them made so far {statement:
    # file} (own_modules.py)
    local_modules: dict[str, str] = field(default_factory=dict)
    module_sources: dict[str, str] = field(default_factory=dict)  # {module: its source}, if read
    module_files: dict[str, tuple[str, ...]] = field(default_factory=dict)  # statement -> files
    # {module: the notebook's modules it star-imports, in turn}: their globals come with it
    module_stars: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # settings that log to a file {statement: path}, and the stages that made them again, so
    # may append to the file {path: stages}: its readers run after them
    setting_files: dict[str, str] = field(default_factory=dict)
    appenders: dict[str, dict[str, None]] = field(default_factory=dict)
    # the names bound to the notebook's classes now (write keeps it): every stage that loads a
    # value looks them up, and the environment holds every name of the notebook
    class_names: dict[str, None] = field(default_factory=dict)
    # inputs already warned about as maybe written at a name only the run knows
    doubted_inputs: set[str] = field(default_factory=set)
    # settings (cell, line, statement) already warned about as not made again
    changed_settings: set[tuple[int, int, str]] = field(default_factory=set)

    # -- the stage being folded (start_stage sets them) -------------------------------------
    flow: StageFlow = field(default_factory=lambda: StageFlow(""))
    cell: int = -1  # the cell being folded
    local: set[str] = field(default_factory=set)  # definitely bound in this stage so far
    # The namespace as the stage starts: re-defined functions and classes run before the
    # stage's cells, so what their definitions read comes from here.
    start_env: dict[str, Binding] = field(default_factory=dict)
    start_generation: dict[str, int] = field(default_factory=dict)

    def start_stage(self, name: str) -> StageFlow:
        self.flow = self.flows[name] = StageFlow(name)
        self.local = set()
        self.cell = -1
        self.start_env = dict(self.env)
        self.start_generation = dict(self.generation)
        return self.flow

    # -- primitives on the state ----------------------------------------------------------------
    def write(self, name: str, line: int, binding: Binding) -> None:
        self.env[name] = binding
        self.flow.writes[name] = None
        if binding.kind == "definition" and binding.definition is not None \
                and binding.definition.kind == "class":
            self.class_names[name] = None
        else:
            self.class_names.pop(name, None)

    def rebind(self, name: str, line: int, binding: Binding) -> None:
        """A new object under `name` (not an in-place change). Repeating the same import or
        definition (notebooks often re-import) is no rebinding."""
        old = self.env.get(name)
        same = old is not None and old.kind == binding.kind and (
            (old.kind == "import" and old.statement == binding.statement)
            or (old.kind == "definition" and old.definition is not None
                and binding.definition is not None
                and old.definition.source == binding.definition.source))
        if not same:
            self.generation[name] = self.generation.get(name, 0) + 1
        self.write(name, line, binding)

    def unalias(self, name: str) -> None:
        for other in self.aliases.pop(name, ()):
            self.aliases.get(other, set()).discard(name)
        for other in self.element_aliases.pop(name, ()):
            self.element_aliases.get(other, set()).discard(name)

    def change_closure(self, name: str, shallow: bool) -> list[str]:
        """The names a change through `name` reaches: what shares its objects, and unless the
        change is to the container alone, what holds the same elements."""
        names = set(self.alias_closure(name))
        if not shallow:
            for n in list(names):
                for other in self.element_aliases.get(n, ()):
                    names.update(self.alias_closure(other))
        return sorted(names)

    def alias_closure(self, name: str) -> list[str]:
        if not self.aliases.get(name):
            return [name]  # most names share with nothing (the fold asks at every change)
        seen, stack = {name}, [name]
        while stack:
            for other in self.aliases.get(stack.pop(), ()):
                if other not in seen:
                    seen.add(other)
                    stack.append(other)
        return sorted(seen)

    # -- the fold's operations, which the parts call on each other (flows._Fold) ---------------
    @abstractmethod
    def apply(self, effect: Effect) -> None:
        """Declared here, defined by one part of flows._Fold."""

    @abstractmethod
    def read(self, name: str, line: int, quiet: bool = False, _seen: set | None = None) -> None:
        """Declared here, defined by one part of flows._Fold."""

    @abstractmethod
    def files(self, facts: CellFacts, cell: int) -> None:
        """Declared here, defined by one part of flows._Fold."""

    @abstractmethod
    def file_read(self, path: str, cell: int) -> None:
        """Declared here, defined by one part of flows._Fold."""

    @abstractmethod
    def change_directory(self, source: str, line: int) -> None:
        """Declared here, defined by one part of flows._Fold."""

    @abstractmethod
    def seed(self, call: str, line: int) -> None:
        """Declared here, defined by one part of flows._Fold."""

    @abstractmethod
    def dynamic(self, line: int) -> None:
        """Declared here, defined by one part of flows._Fold."""

    @abstractmethod
    def library_may_change(self, callee: str) -> bool:
        """Declared here, defined by one part of flows._Fold."""

    @abstractmethod
    def resolve(self, name: str) -> str | None:
        """Declared here, defined by one part of flows._Fold."""

    @abstractmethod
    def use_definition(self, name: str, binding: Binding, line: int, seen: set[str],
                       maybe: bool = False) -> None:
        """Declared here, defined by one part of flows._Fold."""
