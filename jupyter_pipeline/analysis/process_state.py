"""The fold's handling of state that lives in the process rather than in a variable: seeded
global random generators (handed on like values) and library settings (made again in every later
stage). Each stage is a new process, so neither would cross on its own."""

from __future__ import annotations

import ast
from dataclasses import replace
from functools import lru_cache

from ..model.diagnostics import Diagnostic, Severity
from .facts import Definition, Setting
from .knowledge import SEEDING_CALLS, SETTINGS
from .artifacts import normalise
from .bindings import BUILTINS, Binding, StageFlow
from .fold_state import FoldState, MadeAgain
from .syntax import dotted


class ProcessState(FoldState):
    """Part of flows._Fold: seeded generators and library settings."""

    def carry_module_states(self, first_cell: int) -> None:
        """Once a global random generator is seeded, any later call may draw from it (a
        library's default `random_state=None` does), so each stage after the seeding starts
        from the state the previous stage left and hands its own on."""
        self.cell = first_cell
        for state in self.seeded:
            self.read(state, 0, quiet=True)
            self.write(state, 0, Binding("value", self.flow.name, first_cell, 0))

    def resolve(self, name: str) -> str | None:
        """`np.random.seed` -> `numpy.random.seed`, through the import that bound `np`."""
        root, _, rest = name.partition(".")
        binding = self.env.get(root)
        if binding is None or binding.kind != "import" or not binding.statement:
            return None
        words = binding.statement.split()
        if words[0] == "import":
            module = words[1] if " as " in binding.statement else root
        else:  # from m import n [as x]
            module = f"{words[1]}.{words[3]}"
        return f"{module}.{rest}" if rest else module

    def setting(self, effect: Setting, line: int | None = None, inside: str = "",
                local_names: frozenset[str] = frozenset(), registered: bool = False) -> None:
        """A library or process setting (knowledge.SETTINGS, an IPython magic such as `%env`,
        or an attribute set on an imported module): every later stage makes it again, after
        the imports it reads. `inside`: the notebook function whose call makes it. A setting
        nb2pipe cannot make again (in a branch, reading a notebook value) is a warning: a
        later stage would start without it."""
        line = effect.line if line is None else line
        if effect.kind == "magic":
            self.settings.append(MadeAgain(effect.source))
            return
        if effect.kind == "compound":
            self.compound_setting(effect, line, inside, local_names)
            return
        root = effect.name.partition(".")[0]
        holder = self.env.get(root)
        through = holder is not None and holder.kind == "value" and bool(holder.handle) \
            and root not in local_names
        if through:  # `log = logging.getLogger("nb")` then `log.setLevel(...)`
            assert holder is not None
            found = _through_handle(effect, root, holder.handle, holder.handle_reads)
            if found is None:
                return
            effect = found
        full = self.resolve(effect.name)
        if full is None:
            return
        known = registered or any(full == s or full.startswith(s + ".") for s in SETTINGS)
        on_import = effect.kind in ("assign", "branch-assign") and "." in effect.name \
            and not through
        if not known and not on_import:
            return
        if effect.kind.startswith("branch"):
            if known or on_import:
                self.setting_problem(
                    f"'{effect.source}' is made inside an if / for / try, so nb2pipe cannot "
                    f"make it again at the start of later stages, which run without it. Make "
                    f"it at the top level of the cell", line)
            return
        self.made_later(effect, full, line, inside, local_names, registered)

    def compound_setting(self, effect: Setting, line: int, inside: str,
                         local_names: frozenset[str]) -> None:
        """An if / for / try made of settings alone: made again whole when each part is a
        setting of a library, made directly on it (not through a variable, not `os.chdir`,
        whose folder nb2pipe follows statement by statement); else each library setting in it
        is the warning a setting in a branch is."""
        parts = [(part, self.resolve(part.name)) for part in effect.inner]
        whole = all(
            full is not None and full != "os.chdir" and full != "logging.basicConfig"
            and (any(full == s or full.startswith(s + ".") for s in SETTINGS)
                 or part.kind == "assign")
            and not self._through_variable(part, local_names)
            for part, full in parts)
        if whole:
            self.made_later(effect, "", line, inside, local_names)
            return
        for part, _ in parts:
            branch = "branch-assign" if part.kind == "assign" else "branch"
            self.setting(replace(part, kind=branch), part.line, inside, local_names)

    def _through_variable(self, effect: Setting, local_names: frozenset[str]) -> bool:
        root = effect.name.partition(".")[0]
        holder = self.env.get(root)
        return holder is not None and holder.kind == "value" and root not in local_names

    def made_later(self, effect: Setting, full: str, line: int, inside: str,
                   local_names: frozenset[str], registered: bool = False) -> None:
        """The setting is made again in every later stage, after the imports it reads, from
        the parameters, literals and values it reads (see MadeAgain); what it cannot be made
        from is a warning."""
        where = f"the call of '{inside}' here" if inside else "this statement"
        imports, params, literals, values = [], [], {}, []
        for r in sorted(effect.reads):
            binding = self.env.get(r)
            if r in local_names:
                continue
            if binding is not None and binding.kind == "import" and binding.statement:
                imports.append(binding.statement)
            elif binding is not None and binding.kind == "param":
                params.append(r)  # the stage's parameters cell comes before the setting
            elif binding is None and r in BUILTINS:
                continue
            elif binding is not None and binding.kind == "value" and binding.literal_source \
                    and not registered:  # (a class's methods may have locals of that name)
                literals[r] = binding.literal_source  # `params = {...}` unchanged since
            elif binding is not None and binding.kind in ("value", "definition") \
                    and not registered:
                values.append((r, binding))  # later stages load it (ProcessState.made_again)
            else:
                self.setting_problem(
                    f"{where} makes the setting '{effect.source}' from the notebook value "
                    f"'{r}'; later stages start without it (nb2pipe makes settings again only "
                    f"from literals, parameters and imports). Use a literal or a parameter",
                    line)
                return
        if local_names & effect.reads:
            self.setting_problem(
                f"{where} makes the setting '{effect.source}' from the function's own values; "
                f"later stages start without it. Make the setting at the top level of a cell",
                line)
            return
        if values and effect.binds:
            # made after the loads, its loop variable would replace a value the stage loads
            self.setting_problem(
                f"{where} makes settings in a loop or try that binds "
                f"{', '.join(map(repr, sorted(effect.binds)))} from the notebook values "
                f"{', '.join(repr(n) for n, _ in values)}; later stages start without them. "
                f"Use literals or parameters, or make each setting at the top level", line)
            return
        source = effect.source
        if literals:  # made again with the values the names had here, as literals
            substituted = _substituted(source, tuple(sorted(literals.items())))
            if substituted is None:
                self.setting_problem(
                    f"{where} makes the setting '{effect.source}' from the notebook values "
                    f"{', '.join(map(repr, literals))}; later stages start without it. Use "
                    f"literals or parameters in the setting", line)
                return
            source = substituted
        made = _made_again(full, source)
        self.settings.append(MadeAgain(made, tuple(imports), tuple(params), tuple(values),
                                       self.cell, line))
        log = _log_file(full, made)
        if log is not None:
            self.setting_files[made] = log
        if full == "os.chdir":
            self.change_directory(effect.source, line)

    def made_again(self, flow: StageFlow) -> None:
        """Every setting earlier stages made, made again at the start of this one: after the
        imports it reads, with the parameters it reads. One that reads notebook values loads
        them and comes after the stage's loads, and so does every setting after it, to keep
        the notebook's order. A value rebound or changed since the setting ran no longer holds
        what the setting read: the setting is not made again, a warning at its cell."""
        after_loads = False
        for made in self.settings:
            if made.values:
                changed = [n for n, b in made.values if self.env.get(n) is not b]
                if changed:
                    self.value_changed_since(made, changed)
                    continue
                for name, _ in made.values:
                    self.read(name, 0, quiet=True)
                after_loads = True
            for param in made.params:
                flow.params[param] = None
            for statement in made.imports:
                flow.settings.setdefault(statement, None)
            made_here = flow.settings_after_loads if after_loads else flow.settings
            if made.statement in made_here and not made.statement.startswith(_KEEP_FIRST):
                # made again later in the notebook (1, then 2, then 1): the last one holds
                del made_here[made.statement]
            made_here[made.statement] = None
            flow.uses_ipython |= made.statement.startswith("get_ipython()")  # a magic
            if made.statement in self.setting_files:  # the stage's logging appends to the
                log = self.setting_files[made.statement]  # file, after the stage that wrote it
                self.appenders.setdefault(log, {})[flow.name] = None
                writer = self.file_writer.get(log)
                if writer is not None and writer[0] != flow.name:
                    flow.after[writer[0]] = None

    def value_changed_since(self, made: MadeAgain, changed: list[str]) -> None:
        key = (made.cell, made.line, made.statement)
        if key in self.changed_settings:
            return
        self.changed_settings.add(key)
        names = ", ".join(f"'{n}'" for n in changed)
        self.diagnostics.append(Diagnostic(
            "setting-not-made-again", Severity.WARNING,
            f"this statement makes the setting '{made.statement}' from {names}, which "
            f"{'is' if len(changed) == 1 else 'are'} changed or bound again after it; stage "
            f"'{self.flow.name}' and later stages start without the setting. Make the "
            f"setting from a literal or a parameter, or again after the change",
            made.cell, made.line))

    def registered(self, definition: Definition, line: int) -> None:
        """A class or function a library decorator registers (a pandas accessor): later
        stages use it through the library without naming it, so each defines it again, like a
        setting, when what it reads is imports, parameters and builtins."""
        decorator = definition.registered_by[0]
        full = self.resolve(decorator)
        if full is None:  # a notebook function's `@register`: decorators_run_again's case
            return
        reads = (definition.def_reads | definition.reads) - {definition.name}
        self.setting(Setting(decorator, line, definition.source.rstrip("\n"), reads),
                     registered=True)

    def setting_problem(self, message: str, line: int) -> None:
        self.diagnostics.append(Diagnostic("setting-not-made-again", Severity.WARNING, message,
                                           self.cell, line))

    def seed(self, call: str, line: int) -> None:
        """`np.random.seed(0)`, `random.seed(1)`: resolve the module through the imports."""
        full = self.resolve(call)
        state = SEEDING_CALLS.get(full) if full else None
        if state is not None:
            self.seeded[state] = None
            self.rebind(state, line, Binding("value", self.flow.name, self.cell, line))


# Statements whose first place counts when the notebook repeats them: an import (what follows
# may use it), and a `sys.path` entry (the first one found is the one imported from).
_KEEP_FIRST = ("import ", "from ", "sys.path.")


# Pure, and met again by every re-analysis of the notebook (each stage folds it anew).
@lru_cache(maxsize=4096)
def _through_handle(effect: Setting, root: str, handle: str,
                    handle_reads: frozenset[str]) -> Setting | None:
    """The setting with the variable replaced by the expression that made it, so that a later
    stage makes it again without the variable: `log.setLevel(10)` with `log =
    logging.getLogger("nb")` is `logging.getLogger("nb").setLevel(10)`."""
    source = _substituted(effect.source, ((root, handle),))
    if source is None:
        return None
    name = dotted(ast.parse(handle, mode="eval").body).replace("()", "") + effect.name[len(root):]
    return replace(effect, name=name, source=source,
                   reads=(effect.reads - {root}) | handle_reads)


@lru_cache(maxsize=4096)
def _substituted(source: str, expressions: tuple[tuple[str, str], ...]) -> str | None:
    """The statement with each name read replaced by its expression (`plt.rcParams.update(p)`
    with `p = {...}` is `plt.rcParams.update({...})`); None when it cannot be written back."""
    try:
        made = {name: ast.parse(expression, mode="eval").body
                for name, expression in expressions}
        tree = ast.parse(source)
    except SyntaxError:
        return None

    class Substitute(ast.NodeTransformer):
        def visit_Name(self, node: ast.Name) -> ast.AST:
            return made[node.id] if node.id in made and isinstance(node.ctx, ast.Load) \
                else node

    try:
        return ast.unparse(Substitute().visit(tree))
    except ValueError:  # an f-string 3.11 cannot write back
        return None


def _log_file(full: str, source: str) -> str | None:
    """The file `logging.basicConfig(filename="run.log", ...)` logs to: a stage that makes the
    setting again appends to it."""
    if full != "logging.basicConfig":
        return None
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.keyword) and node.arg == "filename" \
                and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            return normalise(node.value.value)
    return None


def _made_again(full: str, source: str) -> str:
    """The statement as later stages make it: a log file opened with `filemode="w"` is not
    emptied again (the stage appends, as the notebook's later cells do)."""
    if full != "logging.basicConfig" or "filemode" not in source:
        return source
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "filemode":
            node.value = ast.Constant("a")
    try:
        return ast.unparse(tree)
    except ValueError:  # an f-string 3.11 cannot write back: keep the notebook's own text
        return source
