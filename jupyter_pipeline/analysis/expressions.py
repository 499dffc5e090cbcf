"""The expression half of the cell visitor: the effect primitives (read, bind, mutate) and
what expressions, calls and IPython magics do to the global namespace."""


from __future__ import annotations

import ast
from abc import ABC, abstractmethod
from dataclasses import replace

from . import ipython
from .bound_values import cannot_cross, handle_of, literal_source
from .facts import (Alias, Bind, CallArgument, Callback, CallSite, Drawing, Dynamic, Effect,
                    MethodArgument, Mutate, NOTHING_HELD, PathExpr, Problem, Read, Seed, Store,
                    Via)
from .held_objects import contents
from .shell import shell_writes
from .knowledge import (CALLBACK_BUILTINS, CONTAINER_METHODS, DATA_ATTRIBUTES, DRAWING_METHODS,
                        PURE_CALLS, READ_ONLY_METHODS, SEEDING_FUNCTIONS, STORING_METHODS)
from .scopes import (
    ScopeSummary,
    arguments_written,
    comprehension_summary,
    is_mutating_call,
    lambda_summary,
    mutates_arguments,
    no_copy,
    root_name,
)
from .syntax import (UNKNOWN, alias_roots, call_site, dotted, dynamic_call, interpolated_names, parse,
                     syntax_problem)


class ExpressionVisitor(ABC):
    """Emits a cell's effects for expressions; CellVisitor (statements.py) adds statements."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines = source.splitlines(keepends=True)
        self.effects: list[Effect] = []
        self.calls: list[CallSite] = []
        self.writes_files: list[tuple[PathExpr, int]] = []
        self.problems: list[Problem] = []
        self.branch_depth = 0  # > 0 inside if / for / while / try: bindings are not definite
        self.maybe_depth = 0  # > 0 inside if / while / try / match: a call may not run
        self.hidden: set[str] = set()  # `except ... as e` names, local to their handler
        self.line_offset = 0  # for code inside magics (%time, %%capture) parsed separately
        self.in_compound_setting = False  # inside an if / for / try made again whole

    # -- effects -------------------------------------------------------------------------
    def _line(self, node: ast.AST) -> int:
        return getattr(node, "lineno", 1) + self.line_offset

    def read(self, name: str, node: ast.AST, soft: bool = False) -> None:
        """`soft`: a name IPython interpolates into a command only if it exists (`!ls {d}`,
        `$HOME`), so not having it is no error."""
        if name not in self.hidden:
            self.effects.append(Read(name, self._line(node), soft))

    def bind(self, name: str, node: ast.AST, literal: str | None = None,
             immutable: bool = False, definition: bool = False, figure: bool = False,
             literal_path: PathExpr | None = None, value: ast.AST | None = None,
             literal_of: ast.AST | None = None) -> None:
        """`definition`: a def / class / lambda in a branch, bound like a value. `literal_of`:
        the expression that is the name's value alone (not an unpacked sequence), for
        facts.Bind.literal_source."""
        if name not in self.hidden:
            made_by = value.func.id if isinstance(value, ast.Call) and isinstance(
                value.func, ast.Name) else ""
            handle = handle_of(value) if value is not None else ""
            self.effects.append(Bind(
                name, self._line(node), self.branch_depth == 0, literal, immutable, definition,
                figure, literal_path, cannot_cross(value), made_by,
                no_copy=isinstance(value, ast.Call) and no_copy(value), handle=handle,
                handle_reads=frozenset(n.id for n in ast.walk(value) if isinstance(n, ast.Name))
                if handle else frozenset(), contents=contents(value),
                literal_source=literal_source(literal_of) if literal_of is not None else ""))

    def store(self, name: str, node: ast.AST, value: ast.AST | None) -> None:
        """The object under `name` is given `value` to hold (held_objects.py)."""
        held = contents(value)
        if held is not NOTHING_HELD and name not in self.hidden:
            self.effects.append(Store(name, self._line(node), held))

    def mutate(self, name: str | None, node: ast.AST, via: Via | None = None,
               shallow: bool = False) -> None:
        if name and name not in self.hidden:
            self.effects.append(Mutate(name, self._line(node), via, shallow))

    def summary_effects(self, summary: ScopeSummary, node: ast.AST) -> None:
        """A nested scope evaluated here (comprehension, lambda): its free names count now."""
        for name in sorted(summary.reads):
            self.read(name, node)
        for name in sorted(summary.mutates):
            self.mutate(name, node)
        for name in sorted(summary.binds):
            self.bind(name, node)

    @abstractmethod
    def statements(self, body: list[ast.stmt]) -> None:
        """Code inside magics (%time, %%capture) is statements: CellVisitor walks them."""

    # -- expressions ---------------------------------------------------------------------
    def expr(self, node: ast.AST) -> None:
        """Reads, calls, walrus bindings and nested scopes of one expression, in order."""
        stack = [node]
        while stack:
            n = stack.pop()
            if isinstance(n, ast.Name):
                if isinstance(n.ctx, ast.Load):
                    self.read(n.id, n)
                continue
            if isinstance(n, ast.NamedExpr):
                self.expr(n.value)
                self.bind(n.target.id, n)
                continue
            if isinstance(n, ast.Lambda):
                for d in list(n.args.defaults) + [d for d in n.args.kw_defaults if d]:
                    self.expr(d)
                self.summary_effects(lambda_summary(n), n)
                continue
            if isinstance(n, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
                walrus = [w.target.id for w in ast.walk(n) if isinstance(w, ast.NamedExpr)]
                self.summary_effects(comprehension_summary(n, None), n)
                self.comprehension_calls(n)
                # An empty iterable runs no `:=`: the name may keep its old value.
                self.branch_depth += 1
                for name in walrus:
                    self.bind(name, n)
                self.branch_depth -= 1
                continue
            if isinstance(n, (ast.BoolOp, ast.IfExp)):
                # Only the first operand (the test) surely runs; a `:=` after it may not.
                first, *rest = (n.values if isinstance(n, ast.BoolOp)
                                else [n.test, n.body, n.orelse])
                self.expr(first)
                self.branch_depth += 1
                for part in rest:
                    self.expr(part)
                self.branch_depth -= 1
                continue
            if isinstance(n, ast.Call):
                self.call(n)
            children = [c for c in ast.iter_child_nodes(n) if isinstance(c, ast.expr)
                        or isinstance(c, ast.keyword)]
            stack.extend(reversed(children))

    def call(self, node: ast.Call) -> None:
        func = node.func
        dynamic = dynamic_call(node)
        if dynamic:
            self.effects.append(Dynamic(dynamic, self._line(node)))
            self.problems.append(Problem(
                "dynamic-code", "warning",
                f"'{dynamic}' can read or change any variable, so nb2pipe cannot see what flows "
                f"here; this stage receives and hands on every variable it can. Replace "
                f"'{dynamic}' with plain names, or add an 'after:STAGE' tag for hidden order",
                self._line(node), node.col_offset + 1))
        if isinstance(func, ast.Attribute) and is_mutating_call(node):
            self.mutate(root_name(func.value), node, shallow=isinstance(func.value, ast.Name)
                        and func.attr in CONTAINER_METHODS)
        elif isinstance(func, ast.Attribute) and func.attr in DRAWING_METHODS:
            self.mutate(root_name(func.value), node, Drawing(func.attr))
        if mutates_arguments(node) or isinstance(func, ast.Attribute):
            # Whether an argument may change depends on what the callee is, which only the
            # fold knows (a library function, a user function that changes that parameter...).
            vias: list[Via]
            if isinstance(func, ast.Name):
                vias = [CallArgument(func.id, i) for i in range(len(node.args))]
                vias += [CallArgument(func.id, -1, k.arg) for k in node.keywords]
            else:
                callee = dotted(func)
                via = MethodArgument(
                    root_name(func.value) if isinstance(func, ast.Attribute) else None,
                    func.attr if isinstance(func, ast.Attribute) else None,
                    "" if "(" in callee else callee)
                vias = [via] * (len(node.args) + len(node.keywords))
            for arg, via in zip(list(node.args) + [k.value for k in node.keywords], vias):
                self.mutate(root_name(arg), node, via)
        for arg in arguments_written(node):
            self.mutate(root_name(arg), node)  # `out=a`, `copy=False`: whatever the callee
        self.callbacks(node)
        if isinstance(func, ast.Name) and func.id == "map" and len(node.args) > 1 \
                and isinstance(node.args[0], ast.Name):
            # map(f, xs) passes the elements of xs to f: they change if f changes its argument
            for i, arg in enumerate(node.args[1:]):
                self.mutate(root_name(arg), node, CallArgument(node.args[0].id, i))
        if isinstance(func, ast.Attribute) and func.attr in STORING_METHODS:
            receiver = root_name(func.value)
            given = ast.Tuple(elts=list(node.args), ctx=ast.Load())
            stored = alias_roots(given)
            if receiver and stored:
                self.effects.append(Alias(receiver, self._line(node), stored))
            if receiver:
                self.store(receiver, node, given)
        name = dotted(func)
        if name.rsplit(".", 1)[-1] in SEEDING_FUNCTIONS:
            self.effects.append(Seed(name, self._line(node)))
        if name in ("get_ipython().system", "get_ipython().getoutput"):
            for a in node.args:
                if isinstance(a, ast.Constant) and isinstance(a.value, str):
                    for token in interpolated_names(a.value):
                        self.read(token, node, soft=True)
                    self.shell_writes(a.value, node)
            return
        site = call_site(node, self._line(node))
        if site is not None:
            # Under an if / while / try the call may not run: the file is no out DVC demands.
            self.calls.append(replace(site, conditional=True) if self.maybe_depth else site)

    def comprehension_calls(self, node: ast.AST) -> None:
        """Files read or written inside a comprehension (`[pd.read_csv(f"data/{s}.csv") for s in
        names]`) count as in a loop: each may not run (an empty iterable), and a name the
        comprehension binds is no variable of the notebook's, whatever value one of that name
        has outside it."""
        local: set[str] = set()
        for sub in ast.walk(node):
            if isinstance(sub, ast.comprehension):
                local |= {t.id for t in ast.walk(sub.target) if isinstance(t, ast.Name)}
        for sub in ast.walk(node):
            site = call_site(sub, self._line(sub)) if isinstance(sub, ast.Call) else None
            if site is not None:
                self.calls.append(replace(_hide(site, local), conditional=True))

    def callbacks(self, node: ast.Call) -> None:
        """Functions passed to a call run inside it, on what it is given: a bound method
        (`s.apply(seen.append)`) may change its receiver; a lambda that changes its parameter
        (`map(lambda r: r.append(0), rows)`) may change every other argument and the receiver."""
        func = node.func
        passed = list(node.args) + [k.value for k in node.keywords]
        calls_back = not (isinstance(func, ast.Name) and func.id in PURE_CALLS
                          and func.id not in CALLBACK_BUILTINS)  # print(obj.attr) calls nothing
        for arg in passed if calls_back else ():
            if isinstance(arg, ast.Attribute) and not isinstance(arg.value, ast.Call) \
                    and arg.attr not in READ_ONLY_METHODS and arg.attr not in DATA_ATTRIBUTES \
                    and not arg.attr.endswith("_") and not arg.attr[:1].isupper():
                self.mutate(root_name(arg.value), node, Callback(arg.attr),
                            shallow=isinstance(arg.value, ast.Name)
                            and arg.attr in CONTAINER_METHODS)
        changing = [a for a in passed if isinstance(a, ast.Lambda)
                    and lambda_summary(a).mutated_params]
        if not changing:
            return
        others = [a for a in passed if a not in changing]
        if isinstance(func, ast.Attribute):
            others.append(func.value)
        for other in others:
            self.mutate(root_name(other), node)

    def shell_writes(self, command: str, node: ast.AST) -> None:
        for path in shell_writes(command):
            self.writes_files.append((PathExpr((("s", path),)), self._line(node)))

    # -- IPython magics ------------------------------------------------------------------
    def magic(self, node: ast.AST) -> bool:
        """Handle `get_ipython().run_*_magic(...)`; True when the expression was one."""
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Call)
                and dotted(node.func.value.func) == "get_ipython"):
            return False
        kind = node.func.attr
        args = [a.value if isinstance(a, ast.Constant) else None for a in node.args]
        if kind == "run_line_magic" and len(args) >= 2 and isinstance(args[1], str):
            name, line = args[0], args[1]
            _, code = ipython.strip_magic_options(name, line)
            if name in ipython.CODE_LINE_MAGICS:
                self.embedded(code, node.lineno - 1, reads_only=False)
            elif name in ipython.READ_ONLY_LINE_MAGICS:
                self.embedded(code, node.lineno - 1, reads_only=True)
            elif name in ipython.HELP_MAGICS:
                self.help_read(code, node)
            elif name == "run":
                self.run_script(line, node)
            else:  # IPython expands `{var}` and `$var` in a line magic's arguments
                for token in interpolated_names(line):
                    self.read(token, node, soft=True)
            return True
        if kind == "run_cell_magic" and len(args) >= 3 and isinstance(args[2], str):
            name, line, body = args[0], args[1] or "", args[2]
            opts, rest = ipython.strip_magic_options(name, line)
            if name in ipython.CODE_CELL_MAGICS:
                self.embedded(body, node.lineno, reads_only=False)
                if name == "capture" and rest:
                    self.bind(rest.split()[0], node)
            elif name in ipython.READ_ONLY_CELL_MAGICS:
                self.embedded(body, node.lineno, reads_only=True)
            elif name == "writefile" and rest:
                self.writes_files.append((PathExpr((("s", rest.strip("\"'")),)), node.lineno))
            elif name in ("bash", "sh", "script"):
                for command in body.splitlines():
                    self.shell_writes(command, node)
            if name not in ipython.CODE_CELL_MAGICS:  # the magic's line is expanded, not its body
                for token in interpolated_names(line):
                    self.read(token, node, soft=True)
            return True
        if kind in ("system", "getoutput", "run_line_magic", "run_cell_magic"):
            for a in node.args[1:] if kind.startswith("run_") else node.args:
                # `!cmd {var}` and `$var` interpolate names: read them.
                if isinstance(a, ast.Constant) and isinstance(a.value, str):
                    for token in interpolated_names(a.value):
                        self.read(token, node, soft=True)
                    if kind in ("system", "getoutput"):
                        self.shell_writes(a.value, node)
            return True
        return False

    def run_script(self, line: str, node: ast.AST) -> None:
        """`%run script.py` runs the script in the notebook's namespace: it binds names nb2pipe
        does not see (like exec), and reads the script file."""
        self.effects.append(Dynamic("%run", self._line(node)))
        words = [w for w in line.split() if not w.startswith("-")]
        if words:
            self.calls.append(CallSite("open", (PathExpr((("s", words[0]),)),), (),
                                       self._line(node)))
        self.problems.append(Problem(
            "dynamic-code", "warning",
            f"'%run {line}' binds names nb2pipe cannot see; this stage receives and hands on "
            f"every variable it can, and later stages get the names only it binds from it. "
            f"Import what the script defines instead (import it as a module)",
            self._line(node), None))

    def help_read(self, target: str, node: ast.AST) -> None:
        """`df?` / `df.head??` show the object: a read of its root name."""
        try:
            root = root_name(parse(target.strip(), mode="eval").body)
        except SyntaxError:  # `a*?` searches names; nothing to read
            return
        if root:
            self.read(root, node, soft=True)

    def embedded(self, code: str, line_offset: int, reads_only: bool) -> None:
        # %time, %%capture... transform their code as a cell before running it: it may hold
        # magics of its own, and a syntax error in it fails the cell like any other.
        python = ipython.to_python(code)
        try:
            tree = parse(python)
        except SyntaxError as exc:
            p = syntax_problem(code, python, exc)
            self.problems.append(Problem(p.code, p.severity, p.message,
                                         (p.line or 1) + self.line_offset + line_offset,
                                         p.column, p.excerpt))
            return
        saved = (self.line_offset, self.effects)
        self.line_offset = saved[0] + line_offset
        if reads_only:
            self.effects = []
        self.statements(tree.body)
        if reads_only:
            kept = [e for e in self.effects if isinstance(e, Read)]
            self.effects = saved[1] + kept
        self.line_offset = saved[0]


def _hide(site: CallSite, names: set[str]) -> CallSite:
    """`site` with the parts of its paths that name one of `names` made unknown."""
    def hidden(expr: PathExpr | None) -> PathExpr | None:
        if expr is None:
            return None
        return PathExpr(tuple(("n", UNKNOWN) if kind == "n" and value.split(".")[0] in names
                              else (kind, value) for kind, value in expr.parts))
    return replace(site, args=tuple(hidden(a) for a in site.args),
                   kwargs=tuple((k, hidden(v)) for k, v in site.kwargs),
                   receiver_path=hidden(site.receiver_path))
