"""What a function or class body reads, binds and may mutate in the enclosing (global) scope.

Python's own scoping rules: a name assigned anywhere in a function is local unless declared
`global`/`nonlocal`; comprehensions, lambdas and nested functions are scopes of their own whose
free names are free in the enclosing scope too; methods do not see class-level names.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from .knowledge import (DRAWING_METHODS, LIBRARY_MUTATES_ARGUMENTS, NO_COPY_KEYWORDS, OUT_KEYWORDS, PURE_CALLS,
                        READ_ONLY_METHODS)

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def root_name(node: ast.AST) -> str | None:
    """`df` for `df`, `df.loc[m, 'c']`, `df['a'].str`; None for anything else (calls, literals)."""
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Starred)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def is_mutating_call(call: ast.Call) -> bool:
    """Whether calling `call` may change the object its method is looked up on."""
    if any(k.arg == "inplace" and not _is_false(k.value) for k in call.keywords):
        return True
    func = call.func
    return isinstance(func, ast.Attribute) and func.attr not in READ_ONLY_METHODS


def mutates_arguments(call: ast.Call) -> bool:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id not in PURE_CALLS
    if isinstance(func, ast.Attribute):
        return func.attr not in READ_ONLY_METHODS
    return True


def arguments_written(call: ast.Call) -> list[ast.expr]:
    """The arguments a call writes into by its keywords, whatever it calls: the `out=` array
    (`np.add(a, b, out=a)`), and every argument of a `copy=False` call (`scale(X, copy=False)`
    may return X itself, changed)."""
    written = [k.value for k in call.keywords if k.arg in OUT_KEYWORDS]
    func = call.func
    made_without_copy = isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call) \
        and no_copy(func.value)  # `StandardScaler(copy=False).fit_transform(X)` changes X
    if no_copy(call) or made_without_copy:
        written += list(call.args)
    return written


def no_copy(call: ast.Call) -> bool:
    """`copy=False`: the result may be (or share memory with) what the call was given."""
    return any(k.arg in NO_COPY_KEYWORDS and isinstance(k.value, ast.Constant)
               and k.value.value is False for k in call.keywords)


def _is_false(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value in (False, None, 0)


@dataclass
class ScopeSummary:
    reads: set[str]  # free names read (globals, when the scope is a function)
    binds: set[str]  # names declared global and assigned
    mutates: set[str]  # free names whose objects may be changed
    params: tuple[str, ...] = ()  # positional parameter names, in order
    mutated_params: frozenset[str] = frozenset()  # parameters whose objects may be changed
    # `mod.func(x)` with `mod` a global (most often a module) and x a parameter or a free name:
    # (callee, x). Whether it may change x depends on what `mod` is, which the fold knows from
    # the imports where the function is called (the notebook's own module: it may).
    module_calls: set[tuple[str, str]] = field(default_factory=set)
    # Receivers of `plot` / `hist` (knowledge.DRAWING_METHODS): changed if they are axes.
    drawn: set[str] = field(default_factory=set)  # free names
    drawn_params: frozenset[str] = frozenset()


def target_names(node: ast.AST, out: set[str]) -> None:
    """Names bound by an assignment target (not those of `a.b = ...` / `a[k] = ...`)."""
    if isinstance(node, ast.Name):
        out.add(node.id)
    elif isinstance(node, (ast.Tuple, ast.List)):
        for elt in node.elts:
            target_names(elt, out)
    elif isinstance(node, ast.Starred):
        target_names(node.value, out)


class _ScopeWalker:
    """Collects one scope's loads, stores, declarations and mutations; recurses into nested scopes."""

    def __init__(self, immediate: bool = False) -> None:
        # immediate: leave out nested functions and lambdas (they run later, if ever)
        self.immediate = immediate
        self.loads: set[str] = set()
        self.stores: set[str] = set()
        self.globals: set[str] = set()
        self.nonlocals: set[str] = set()
        self.mutated: set[str] = set()
        self.module_calls: set[tuple[str, str]] = set()
        self.drawn: set[str] = set()

    def summary(self, params: set[str], order: tuple[str, ...] = ()) -> ScopeSummary:
        local = (params | self.stores) - self.globals - self.nonlocals
        return ScopeSummary(
            reads=self.loads - local,
            binds=self.stores & self.globals,
            mutates=self.mutated - local,
            params=order,
            mutated_params=frozenset(self.mutated & params),
            module_calls={(c, n) for c, n in self.module_calls if n in params or n not in local},
            drawn=self.drawn - local,
            drawn_params=frozenset(self.drawn & params),
        )

    def nested(self, summary: ScopeSummary) -> None:
        self.loads |= summary.reads
        self.mutated |= summary.mutates
        # (on a free name of the nested scope, not on one of its own parameters)
        self.module_calls |= {(c, n) for c, n in summary.module_calls if n in summary.reads}
        self.drawn |= summary.drawn
        # A nested `global x` binds the module's x; the enclosing function's call binds it too.
        self.stores |= summary.binds
        self.globals |= summary.binds

    def walk(self, node: ast.AST) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for d in node.decorator_list:
                self.walk(d)
            self._walk_args(node.args)
            self.stores.add(node.name)
            if not self.immediate:
                self.nested(function_summary(node))
            return
        if isinstance(node, ast.Lambda):
            self._walk_args(node.args)
            if not self.immediate:
                self.nested(lambda_summary(node))
            return
        if isinstance(node, ast.ClassDef):
            self.stores.add(node.name)
            body_reads, method_reads = class_summaries(node)
            self.nested(body_reads)
            self.nested(method_reads)
            return
        if isinstance(node, _COMPREHENSIONS):
            self.nested(comprehension_summary(node, self))
            return
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load):
                self.loads.add(node.id)
            else:
                self.stores.add(node.id)
            return
        if isinstance(node, ast.Global):
            self.globals.update(node.names)
            return
        if isinstance(node, ast.Nonlocal):
            self.nonlocals.update(node.names)
            return
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name != "*":
                    self.stores.add(alias.asname or alias.name.split(".")[0])
            return
        if isinstance(node, ast.ExceptHandler) and node.name:
            self.stores.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            for t in targets:
                if isinstance(t, (ast.Attribute, ast.Subscript)):
                    self._mutate(t)
                elif isinstance(node, ast.AugAssign) and isinstance(t, ast.Name):
                    self.loads.add(t.id)
                    self.mutated.add(t.id)
        elif isinstance(node, ast.Call):
            self._call(node)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            self.stores.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            self.stores.add(node.rest)
        for child in ast.iter_child_nodes(node):
            self.walk(child)

    def _mutate(self, target: ast.AST) -> None:
        name = root_name(target)
        if name:
            self.mutated.add(name)

    def _call(self, call: ast.Call) -> None:
        func = call.func
        if isinstance(func, ast.Attribute) and is_mutating_call(call):
            self._mutate(func.value)
        elif isinstance(func, ast.Attribute) and func.attr in DRAWING_METHODS:
            name = root_name(func.value)
            if name:
                self.drawn.add(name)
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
                and func.value.id not in self.stores:
            # A method of a global, most often a module (random.randint(1, n)): library code
            # reads its arguments except for a known few.
            changes_args = func.attr in LIBRARY_MUTATES_ARGUMENTS
            for arg in list(call.args) + [k.value for k in call.keywords]:
                name = root_name(arg)
                if name:
                    self.module_calls.add((f"{func.value.id}.{func.attr}", name))
        else:
            changes_args = mutates_arguments(call)
        if changes_args:
            for arg in list(call.args) + [k.value for k in call.keywords]:
                self._mutate(arg)
        for arg in arguments_written(call):
            self._mutate(arg)

    def _walk_args(self, args: ast.arguments) -> None:
        """Defaults and annotations run where the function is defined."""
        for d in list(args.defaults) + [d for d in args.kw_defaults if d is not None]:
            self.walk(d)
        for a in args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg]:
            if a is not None and a.annotation is not None:
                self.walk(a.annotation)


def _params(args: ast.arguments) -> set[str]:
    names = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
    names.update(a.arg for a in (args.vararg, args.kwarg) if a is not None)
    return names


def function_summary(node: ast.FunctionDef | ast.AsyncFunctionDef,
                     immediate: bool = False) -> ScopeSummary:
    """What calling the function reads, binds (`global`) and may mutate outside itself;
    `immediate`: only what its own body does, not the functions it defines (a decorator's
    wrapper runs when the decorated function is called, not when it is decorated)."""
    w = _ScopeWalker(immediate)
    for stmt in node.body:
        w.walk(stmt)
    return w.summary(_params(node.args), _positional(node.args))


def lambda_summary(node: ast.Lambda) -> ScopeSummary:
    w = _ScopeWalker()
    w.walk(node.body)
    return w.summary(_params(node.args), _positional(node.args))


def _positional(args: ast.arguments) -> tuple[str, ...]:
    return tuple(a.arg for a in args.posonlyargs + args.args)


def comprehension_summary(node: ast.AST, enclosing: _ScopeWalker | None) -> ScopeSummary:
    """A comprehension's free names; `:=` inside it binds in the enclosing scope."""
    w = _ScopeWalker()
    local: set[str] = set()
    sources: dict[str, set[str]] = {}  # loop variable -> names its elements come from
    for gen in node.generators:  # type: ignore[attr-defined]
        w.walk(gen.iter)
        bound: set[str] = set()
        target_names(gen.target, bound)
        called = {id(c.func) for c in ast.walk(gen.iter) if isinstance(c, ast.Call)}
        roots = {n.id for n in ast.walk(gen.iter) if isinstance(n, ast.Name)
                 and isinstance(n.ctx, ast.Load) and id(n) not in called}
        for b in bound:
            sources[b] = {r for src in roots for r in sources.get(src, {src})}
        local |= bound
        for cond in gen.ifs:
            w.walk(cond)
    for part in ("elt", "key", "value"):
        if hasattr(node, part):
            w.walk(getattr(node, part))
    walrus = {n.target.id for n in ast.walk(node) if isinstance(n, ast.NamedExpr)}
    if enclosing is not None:
        enclosing.stores |= walrus
    summary = w.summary(local)
    summary.reads -= walrus
    # `[clean(f) for f in frames]` changes the frames inside `frames`.
    for name in w.mutated & local:
        summary.mutates |= sources.get(name, set()) - local
    return summary


def class_summaries(node: ast.ClassDef) -> tuple[ScopeSummary, ScopeSummary]:
    """(what the class statement reads when it runs, what its methods read when called)."""
    body = _ScopeWalker()
    for part in node.bases + [k.value for k in node.keywords] + node.decorator_list:
        body.walk(part)
    methods = ScopeSummary(set(), set(), set())
    for stmt in node.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for d in stmt.decorator_list:
                body.walk(d)
            body._walk_args(stmt.args)
            body.stores.add(stmt.name)
            s = function_summary(stmt)
            methods.reads |= s.reads
            methods.binds |= s.binds
            methods.mutates |= s.mutates
            methods.module_calls |= {(c, n) for c, n in s.module_calls if n in s.reads}
            methods.drawn |= s.drawn
        else:
            body.walk(stmt)
    return body.summary(set()), methods
