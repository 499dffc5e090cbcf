"""Per-cell facts: an ordered list of effects on the notebook's global namespace.

Each code cell is analysed alone (so results are cached by source); analysis/flows.py folds the
effects of a stage's cells in order. Effects are small tuples, cheap to build for 500 cells:

    (READ, name, line)                     the cell reads the name's current value
    (BIND, name, line, definite, literal, immutable)
                                           binds it; `definite` False inside a branch or loop;
                                           `literal` is a str constant when bound to one;
                                           `immutable` when bound to a constant (no object
                                           that could be changed in place or shared)
    (MUTATE, name, line, via)              may change the object in place; `via` is None, or
                                           for an argument the call it is passed to:
                                           ("call", callee, position, keyword) or
                                           ("method", receiver_root, method)
    (DELETE, name, line)                   `del name`
    (ALIAS, name, line, roots)             the new value may share objects with `roots`
    (DEFINE, name, line, Definition)       top-level def / class / `f = lambda ...`
    (IMPORT, name, line, statement)        top-level import; re-emitted where used
    (DYNAMIC, what, line)                  globals() / exec / eval: cannot be analysed
    (STAR, module, line, statement)        `from m import *`
"""

from __future__ import annotations

import ast
import re
import warnings
from dataclasses import dataclass

from . import ipython
from .scopes import (
    STORING_METHODS,
    ScopeSummary,
    class_summaries,
    comprehension_summary,
    function_summary,
    is_mutating_call,
    lambda_summary,
    mutates_arguments,
    root_name,
    target_names,
)

READ, BIND, MUTATE, DELETE, ALIAS, DEFINE, IMPORT, DYNAMIC, STAR = range(9)

_DYNAMIC_CALLS = frozenset({"globals", "locals", "vars", "exec", "eval"})


@dataclass(frozen=True)
class Definition:
    """A function or class the notebook defines; re-emitted from source where it is used."""

    name: str
    kind: str  # "function", "class" or "lambda"
    source: str
    line: int
    reads: frozenset[str]  # globals read when called (methods, for a class)
    binds: frozenset[str]  # globals it assigns through `global`
    mutates: frozenset[str]  # globals it may change in place
    def_reads: frozenset[str]  # read when the definition runs: decorators, defaults, bases
    params: tuple[str, ...] = ()  # positional parameters, to match call arguments
    mutated_params: frozenset[str] = frozenset()  # parameters it may change in place


@dataclass(frozen=True)
class PathExpr:
    """A file path argument as far as it is literal: parts are ("s", text) or ("n", name)."""

    parts: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class CallSite:
    """A call the artifact detector may recognise as a file read or write."""

    func: str  # "read_csv", "open", "np.save", ... (the last two dotted components at most)
    args: tuple[PathExpr | None, ...]
    kwargs: tuple[tuple[str, PathExpr | None], ...]
    line: int
    receiver_path: PathExpr | None = None  # Path("x").write_text(...)


@dataclass(frozen=True)
class Problem:
    code: str
    severity: str  # "error" | "warning"
    message: str
    line: int | None = None
    column: int | None = None
    excerpt: str | None = None


@dataclass(frozen=True)
class CellFacts:
    effects: tuple[tuple, ...] = ()
    calls: tuple[CallSite, ...] = ()
    writes_files: tuple[tuple[PathExpr, int], ...] = ()  # %%writefile
    problems: tuple[Problem, ...] = ()
    uses_ipython: bool = False
    # Names the cell assigns at top level or shows (a bare `acc`, `acc, f1`, `print(acc)`):
    # what a `metrics` cell names.
    named: tuple[str, ...] = ()

    @property
    def parsed(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)


def parse(source: str, mode: str = "exec") -> ast.AST:
    """ast.parse without the host's warnings about the user's code (`"\\."` escapes...): the
    analysis reports problems as diagnostics, and a warnings filter set to "error" must not turn
    a notebook's harmless escape into a crash."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(source, mode=mode)


def analyse_cell(source: str) -> CellFacts:
    """Facts about one code cell. Never raises on user code: problems are in the result."""
    python = ipython.to_python(source)
    try:
        tree = parse(python)
    except SyntaxError as exc:
        return CellFacts(problems=(_syntax_problem(source, python, exc),))
    except (ValueError, RecursionError, MemoryError) as exc:  # null bytes, absurd nesting
        return CellFacts(problems=(Problem("syntax-error", "error", f"cannot be parsed: {exc}"),))
    visitor = _CellVisitor(python)
    visitor.statements(tree.body)
    return CellFacts(
        effects=tuple(visitor.effects),
        calls=tuple(visitor.calls),
        writes_files=tuple(visitor.writes_files),
        problems=tuple(visitor.problems),
        uses_ipython=python != source and "get_ipython()" in python,
        named=tuple(dict.fromkeys(_named(tree.body))),
    )


def _named(body: list[ast.stmt]) -> list[str]:
    names: list[str] = []
    for stmt in body:
        if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for t in targets:
                found: set[str] = set()
                target_names(t, found)
                names += sorted(found)
        elif isinstance(stmt, ast.Expr):
            value = stmt.value
            if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and \
                    value.func.id in ("print", "display"):
                items = list(value.args)
            elif isinstance(value, ast.Tuple):
                items = list(value.elts)
            else:
                items = [value]
            names += [i.id for i in items if isinstance(i, ast.Name)]
    return names


def _syntax_problem(source: str, python: str, exc: SyntaxError) -> Problem:
    line = exc.lineno or 1
    col = exc.offset or 1
    lines = (source if source.count("\n") == python.count("\n") else python).splitlines()
    text = lines[line - 1] if 0 < line <= len(lines) else (exc.text or "").rstrip("\n")
    caret = " " * max(col - 1, 0) + "^"
    hint = "Fix the syntax in the notebook (Python 3 is required)"
    if "print" in (exc.msg or "") or "Missing parentheses" in (exc.msg or ""):
        hint = "This looks like Python 2; port the cell to Python 3"
    return Problem(
        "syntax-error",
        "error",
        f"cannot be parsed: {_sentence(exc.msg or 'invalid syntax')} {hint}, then convert again",
        line,
        col,
        f"{text}\n{caret}",
    )


def _sentence(text: str) -> str:
    """Python's message as a sentence: some end with '?' already ("Did you mean print(...)?")."""
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."


def _path_expr(node: ast.AST) -> PathExpr | None:
    """The literal shape of a path argument: "a.csv", base + "a.csv", os.path.join(base, "a")."""
    parts: list[tuple[str, str]] = []

    def add(n: ast.AST) -> bool:
        if isinstance(n, ast.Constant) and isinstance(n.value, str):
            parts.append(("s", n.value))
            return True
        if isinstance(n, ast.Name):
            parts.append(("n", n.id))
            return True
        if isinstance(n, ast.BinOp) and isinstance(n.op, (ast.Add, ast.Div)):
            if not add(n.left):
                return False
            if isinstance(n.op, ast.Div):  # pathlib: base / "file"
                parts.append(("s", "/"))
            return add(n.right)
        if isinstance(n, ast.JoinedStr):
            for v in n.values:
                if isinstance(v, ast.Constant):
                    parts.append(("s", str(v.value)))
                elif isinstance(v, ast.FormattedValue) and isinstance(v.value, ast.Name) \
                        and v.conversion == -1 and v.format_spec is None:
                    parts.append(("n", v.value.id))
                else:
                    return False
            return True
        if isinstance(n, ast.Call):
            name = _dotted(n.func)
            if name in ("os.path.join", "path.join", "Path", "pathlib.Path", "PurePath"):
                for i, a in enumerate(n.args):
                    if i and name.endswith("join"):
                        parts.append(("s", "/"))
                    elif i:
                        parts.append(("s", "/"))
                    if not add(a):
                        return False
                return bool(n.args)
        return False

    return PathExpr(tuple(parts)) if add(node) else None


def _dotted(node: ast.AST) -> str:
    names = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        names.append(node.id)
    elif isinstance(node, ast.Call):
        names.append(_dotted(node.func) + "()")
    return ".".join(reversed(names))


def _is_constant(node: ast.AST) -> bool:
    """`3`, `-1.5`, `"a"`, `f"{x}"`, `(1, "b")`, `None`: values no one can change in place."""
    if isinstance(node, (ast.Constant, ast.JoinedStr)):
        return True
    if isinstance(node, ast.UnaryOp) and isinstance(node.operand, ast.Constant):
        return True
    if isinstance(node, ast.Tuple):
        return all(_is_constant(e) for e in node.elts)
    return False


def _dynamic_call(node: ast.Call) -> str | None:
    """'globals()', 'exec()', 'getattr(sys.modules[...])'...: code that reaches any variable."""
    func = node.func
    if not isinstance(func, ast.Name):
        return None
    if func.id in _DYNAMIC_CALLS and not (func.id == "vars" and node.args):
        return f"{func.id}()"
    if func.id == "getattr" and node.args and "sys.modules" in ast.unparse(node.args[0]):
        return "getattr(sys.modules[...])"
    return None


def _alias_roots(value: ast.AST) -> frozenset[str]:
    """Names whose objects `value` may share: `b`, `b.x`, `b[0]`, `[a, b]`, `x if c else y`."""
    roots: set[str] = set()
    stack = [value]
    while stack:
        n = stack.pop()
        if isinstance(n, (ast.Name, ast.Attribute, ast.Subscript, ast.Starred)):
            r = root_name(n)
            if r:
                roots.add(r)
        elif isinstance(n, (ast.List, ast.Tuple, ast.Set)):
            stack.extend(n.elts)
        elif isinstance(n, ast.Dict):
            stack.extend(v for v in n.values if v is not None)
        elif isinstance(n, ast.IfExp):
            stack.extend((n.body, n.orelse))
        elif isinstance(n, ast.NamedExpr):
            stack.append(n.value)
    return frozenset(roots)


def _import_statement(node: ast.Import | ast.ImportFrom, alias: ast.alias) -> str:
    asname = f" as {alias.asname}" if alias.asname else ""
    if isinstance(node, ast.Import):
        return f"import {alias.name}{asname}"
    module = "." * node.level + (node.module or "")
    return f"from {module} import {alias.name}{asname}"


class _CellVisitor:
    """Walks a cell's top-level statements in execution order, emitting effects."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines = source.splitlines(keepends=True)
        self.effects: list[tuple] = []
        self.calls: list[CallSite] = []
        self.writes_files: list[tuple[PathExpr, int]] = []
        self.problems: list[Problem] = []
        self.branch_depth = 0  # > 0 inside if / for / while / try: bindings are not definite
        self.hidden: set[str] = set()  # `except ... as e` names, local to their handler
        self.line_offset = 0  # for code inside magics (%time, %%capture) parsed separately

    # -- effects -------------------------------------------------------------------------
    def _line(self, node: ast.AST) -> int:
        return getattr(node, "lineno", 1) + self.line_offset

    def read(self, name: str, node: ast.AST, soft: bool = False) -> None:
        """`soft`: a name IPython interpolates into a command only if it exists (`!ls {d}`,
        `$HOME`), so not having it is no error."""
        if name not in self.hidden:
            self.effects.append((READ, name, self._line(node), True) if soft
                                else (READ, name, self._line(node)))

    def bind(self, name: str, node: ast.AST, literal: str | None = None,
             immutable: bool = False) -> None:
        if name not in self.hidden:
            self.effects.append((BIND, name, self._line(node), self.branch_depth == 0, literal,
                                 immutable))

    def mutate(self, name: str | None, node: ast.AST, via: tuple | None = None) -> None:
        if name and name not in self.hidden:
            self.effects.append((MUTATE, name, self._line(node), via))

    def summary_effects(self, summary: ScopeSummary, node: ast.AST) -> None:
        """A nested scope evaluated here (comprehension, lambda): its free names count now."""
        for name in sorted(summary.reads):
            self.read(name, node)
        for name in sorted(summary.mutates):
            self.mutate(name, node)
        for name in sorted(summary.binds):
            self.bind(name, node)

    # -- statements ----------------------------------------------------------------------
    def statements(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            self.statement(stmt)

    def branch(self, body: list[ast.stmt]) -> None:
        self.branch_depth += 1
        self.statements(body)
        self.branch_depth -= 1

    def statement(self, node: ast.stmt) -> None:  # noqa: C901 - one branch per statement kind
        if isinstance(node, ast.Expr):
            if not self.magic(node.value):
                self.expr(node.value)
        elif isinstance(node, ast.Assign):
            self.expr(node.value)
            literal = node.value.value if isinstance(node.value, ast.Constant) and isinstance(
                node.value.value, str) else None
            if (len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                    and isinstance(node.value, ast.Lambda) and self.branch_depth == 0):
                self.define_lambda(node.targets[0].id, node)
                return
            for target in node.targets:
                self.target(target, node.value, literal)
        elif isinstance(node, ast.AnnAssign):
            if node.value is not None:
                self.expr(node.value)
                self.target(node.target, node.value, None)
        elif isinstance(node, ast.AugAssign):
            self.expr(node.value)
            if isinstance(node.target, ast.Name):
                self.read(node.target.id, node)
                self.mutate(node.target.id, node)  # `lst += [x]` changes lst in place
                self.bind(node.target.id, node)
            else:
                self.store_into(node.target)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.define_function(node)
        elif isinstance(node, ast.ClassDef):
            self.define_class(node)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            self.import_(node)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            self.expr(node.iter)
            self.branch_depth += 1
            self.target(node.target, node.iter, None)
            self.statements(node.body)
            self.statements(node.orelse)
            self.branch_depth -= 1
        elif isinstance(node, ast.While):
            self.expr(node.test)
            self.branch(node.body)
            self.branch(node.orelse)
        elif isinstance(node, ast.If):
            self.expr(node.test)
            self.branch(node.body)
            self.branch(node.orelse)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                self.expr(item.context_expr)
                if item.optional_vars is not None:
                    self.target(item.optional_vars, None, None)
            self.statements(node.body)
        elif isinstance(node, ast.Try) or type(node).__name__ == "TryStar":
            self.branch(node.body)  # type: ignore[attr-defined]
            for handler in node.handlers:  # type: ignore[attr-defined]
                if handler.type is not None:
                    self.expr(handler.type)
                hide = handler.name and handler.name not in self.hidden
                if hide:
                    self.hidden.add(handler.name)
                self.branch(handler.body)
                if hide:
                    self.hidden.discard(handler.name)
            self.branch(node.orelse)  # type: ignore[attr-defined]
            self.statements(node.finalbody)  # type: ignore[attr-defined]
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self.effects.append((DELETE, target.id, self._line(node)))
                elif isinstance(target, (ast.Tuple, ast.List)):
                    for elt in target.elts:
                        self.statement(ast.Delete(targets=[elt], lineno=node.lineno))
                else:
                    self.store_into(target)
        elif isinstance(node, ast.Match):
            self.expr(node.subject)
            self.branch_depth += 1
            for case in node.cases:
                for sub in ast.walk(case.pattern):
                    if isinstance(sub, (ast.MatchAs, ast.MatchStar)) and sub.name:
                        self.bind(sub.name, node)
                    elif isinstance(sub, ast.MatchMapping) and sub.rest:
                        self.bind(sub.rest, node)
                    elif isinstance(sub, ast.MatchValue):
                        self.expr(sub.value)
                    elif isinstance(sub, ast.MatchClass):
                        self.expr(sub.cls)
                if case.guard is not None:
                    self.expr(case.guard)
                self.statements(case.body)
            self.branch_depth -= 1
        elif isinstance(node, (ast.Global, ast.Nonlocal, ast.Pass, ast.Break, ast.Continue)):
            pass
        else:  # Return, Raise, Assert and anything newer: read what it mentions
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.expr):
                    self.expr(child)
                elif isinstance(child, ast.stmt):
                    self.statement(child)

    def target(self, target: ast.AST, value: ast.AST | None, literal: str | None) -> None:
        if isinstance(target, ast.Name):
            self.bind(target.id, target, literal, value is not None and _is_constant(value))
            roots = _alias_roots(value) if value is not None else frozenset()
            if roots:
                self.effects.append((ALIAS, target.id, self._line(target), roots))
        elif isinstance(target, (ast.Tuple, ast.List)):
            for elt in target.elts:
                self.target(elt, value, None)
        elif isinstance(target, ast.Starred):
            self.target(target.value, value, None)
        else:
            self.store_into(target)

    def store_into(self, target: ast.AST) -> None:
        """`a.b = v`, `a[k] = v`, `del a[k]`: reads and may mutate `a`."""
        for child in ast.iter_child_nodes(target):
            if isinstance(child, ast.expr) and not isinstance(child, ast.expr_context):
                self.expr(child)
        name = root_name(target)
        if name:
            self.mutate(name, target)

    # -- definitions ---------------------------------------------------------------------
    def _source_of(self, node: ast.stmt) -> str:
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        last = node.end_lineno or node.lineno
        return "".join(self.lines[first - 1:last]).rstrip() + "\n"

    def define_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        def_reads = self._definition_reads(node.decorator_list, node.args, node.returns)
        s = function_summary(node)
        self._define(node.name, "function", node, s, def_reads)

    def define_lambda(self, name: str, node: ast.Assign) -> None:
        lam = node.value
        assert isinstance(lam, ast.Lambda)
        def_reads = self._definition_reads([], lam.args, None)
        self._define(name, "lambda", node, lambda_summary(lam), def_reads)

    def define_class(self, node: ast.ClassDef) -> None:
        body, methods = class_summaries(node)
        for name in sorted(body.reads):
            self.read(name, node)
        for name in sorted(body.mutates):
            self.mutate(name, node)
        self.decorator_calls(node.decorator_list)
        self._define(node.name, "class", node, methods, frozenset(body.reads))

    def _definition_reads(self, decorators, args: ast.arguments, returns) -> frozenset[str]:
        names: set[str] = set()
        nodes = list(decorators) + list(args.defaults) + [d for d in args.kw_defaults if d]
        nodes += [a.annotation for a in args.posonlyargs + args.args + args.kwonlyargs
                  if a.annotation is not None]
        if returns is not None:
            nodes.append(returns)
        for n in nodes:
            for sub in ast.walk(n):
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load):
                    names.add(sub.id)
            self.expr(n)
        self.decorator_calls(decorators)
        return frozenset(names)

    def decorator_calls(self, decorators: list[ast.expr]) -> None:
        """`@registry.append` calls the method with the function: it may change `registry`."""
        for d in decorators:
            if isinstance(d, ast.Attribute) and is_mutating_call(ast.Call(d, [], [])):
                self.mutate(root_name(d.value), d)

    def _define(self, name: str, kind: str, node: ast.stmt, s: ScopeSummary,
                def_reads: frozenset[str]) -> None:
        if self.branch_depth:  # a conditional definition is a plain value
            self.bind(name, node)
            return
        definition = Definition(
            name=name,
            kind=kind,
            source=self._source_of(node),
            line=self._line(node),
            reads=frozenset(s.reads - {name}),
            binds=frozenset(s.binds),
            mutates=frozenset(s.mutates),
            def_reads=def_reads,
            params=s.params,
            mutated_params=s.mutated_params,
        )
        self.effects.append((DEFINE, name, self._line(node), definition))

    def import_(self, node: ast.Import | ast.ImportFrom) -> None:
        for alias in node.names:
            statement = _import_statement(node, alias)
            if alias.name == "*":
                module = statement.split()[1]
                self.effects.append((STAR, module, self._line(node), statement))
                self.problems.append(Problem(
                    "star-import", "warning",
                    f"'{statement}' hides which names it brings in; nb2pipe re-runs it in every "
                    f"later stage. Name the imports instead (from {module} import a, b)",
                    self._line(node), node.col_offset + 1))
                continue
            name = alias.asname or alias.name.split(".")[0]
            if self.branch_depth:  # try/except ImportError fallbacks: a value like any other
                self.bind(name, node)
            else:
                self.effects.append((IMPORT, name, self._line(node), statement))

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
        dynamic = _dynamic_call(node)
        if dynamic:
            self.effects.append((DYNAMIC, dynamic, self._line(node)))
            self.problems.append(Problem(
                "dynamic-code", "warning",
                f"'{dynamic}' can read or change any variable, so nb2pipe cannot see what flows "
                f"here; this stage receives and hands on every variable it can. Replace "
                f"'{dynamic}' with plain names, or add an 'after:STAGE' tag for hidden order",
                self._line(node), node.col_offset + 1))
        if isinstance(func, ast.Attribute) and is_mutating_call(node):
            self.mutate(root_name(func.value), node)
        if mutates_arguments(node) or isinstance(func, ast.Attribute):
            # Whether an argument may change depends on what the callee is, which only the
            # fold knows (a library function, a user function that changes that parameter...).
            if isinstance(func, ast.Name):
                vias = [("call", func.id, i, None) for i in range(len(node.args))]
                vias += [("call", func.id, -1, k.arg) for k in node.keywords]
            else:
                via = ("method", root_name(func.value) if isinstance(func, ast.Attribute)
                       else None, func.attr if isinstance(func, ast.Attribute) else None)
                vias = [via] * (len(node.args) + len(node.keywords))
            for arg, via in zip(list(node.args) + [k.value for k in node.keywords], vias):
                self.mutate(root_name(arg), node, via)
        if isinstance(func, ast.Attribute) and func.attr in STORING_METHODS:
            receiver = root_name(func.value)
            stored = _alias_roots(ast.Tuple(elts=list(node.args), ctx=ast.Load()))
            if receiver and stored:
                self.effects.append((ALIAS, receiver, self._line(node), stored))
        name = _dotted(func)
        if name in ("get_ipython().system", "get_ipython().getoutput"):
            for a in node.args:
                if isinstance(a, ast.Constant) and isinstance(a.value, str):
                    for token in _interpolated_names(a.value):
                        self.read(token, node, soft=True)
            return
        short = ".".join(name.split(".")[-2:])
        receiver = None
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call):
            inner = _dotted(func.value.func)
            if inner.split(".")[-1] in ("Path", "PurePath", "open"):
                receiver = _path_expr(func.value.args[0]) if func.value.args else None
        if isinstance(func, (ast.Name, ast.Attribute)):
            self.calls.append(CallSite(
                func=short,
                args=tuple(_path_expr(a) for a in node.args),
                kwargs=tuple((k.arg or "", _path_expr(k.value)) for k in node.keywords),
                line=self._line(node),
                receiver_path=receiver,
            ))

    # -- IPython magics ------------------------------------------------------------------
    def magic(self, node: ast.AST) -> bool:
        """Handle `get_ipython().run_*_magic(...)`; True when the expression was one."""
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Call)
                and _dotted(node.func.value.func) == "get_ipython"):
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
            else:  # IPython expands `{var}` and `$var` in a line magic's arguments
                for token in _interpolated_names(line):
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
            if name not in ipython.CODE_CELL_MAGICS:  # the magic's line is expanded, not its body
                for token in _interpolated_names(line):
                    self.read(token, node, soft=True)
            return True
        if kind in ("system", "getoutput", "run_line_magic", "run_cell_magic"):
            for a in node.args[1:] if kind.startswith("run_") else node.args:
                # `!cmd {var}` and `$var` interpolate names: read them.
                if isinstance(a, ast.Constant) and isinstance(a.value, str):
                    for token in _interpolated_names(a.value):
                        self.read(token, node, soft=True)
            return True
        return False

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
            p = _syntax_problem(code, python, exc)
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
            kept = [e for e in self.effects if e[0] == READ]
            self.effects = saved[1] + kept
        self.line_offset = saved[0]


_INTERPOLATION = re.compile(r"\{([A-Za-z_]\w*)[^}]*\}|\$([A-Za-z_]\w*)")


def _interpolated_names(text: str) -> list[str]:
    """Names IPython substitutes into `!cmd {var}` / `!cmd $var`."""
    return [a or b for a, b in _INTERPOLATION.findall(text)]
