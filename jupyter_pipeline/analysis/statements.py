"""The statement half of the cell visitor: walks a cell's top-level statements in execution
order (bindings in branches and loops are not definite) and records definitions and imports.

One `visit_<Statement>` method per statement kind, dispatched as ast.NodeVisitor does; a kind
without a method (Return, Raise, Assert and anything newer) reads what it mentions."""

from __future__ import annotations

import ast
from dataclasses import replace

from .containers import container_of
from .definition_state import keeps_state, local_names, returns_closure
from .expressions import ExpressionVisitor
from .facts import Alias, Define, Definition, Delete, Import, PathExpr, Problem, Star
from .knowledge import SEEDING_FUNCTIONS
from .setting_syntax import body_settings, compound_setting, setting_of
from .scopes import (
    ScopeSummary,
    class_summaries,
    function_summary,
    is_mutating_call,
    lambda_summary,
    root_name,
    target_names,
)
from .syntax import (alias_roots, body_calls, dotted, dynamic_call, import_statement, path_expr,
                     is_constant, makes_figure)


class CellVisitor(ExpressionVisitor, ast.NodeVisitor):
    """Walks a cell's top-level statements in execution order, emitting effects."""

    # -- statements ----------------------------------------------------------------------
    def statements(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            whole = compound_setting(stmt, self.line_offset) \
                if not self.branch_depth and not self.in_compound_setting else None
            if whole is not None:  # made again as a whole: its parts are no settings of their own
                self.effects.append(whole)
                self.in_compound_setting = True
                try:
                    self.visit(stmt)
                finally:
                    self.in_compound_setting = False
                continue
            found = setting_of(stmt, self._line(stmt))
            if found is not None and not self.in_compound_setting:
                self.effects.append(found if not self.branch_depth else replace(
                    found, kind="branch-assign" if found.kind == "assign" else "branch"))
            self.visit(stmt)

    def branch(self, body: list[ast.stmt]) -> None:
        self.branch_depth += 1
        self.maybe_depth += 1
        self.statements(body)
        self.maybe_depth -= 1
        self.branch_depth -= 1

    def generic_visit(self, node: ast.AST) -> None:
        """Return, Raise, Assert and anything newer: read what it mentions."""
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self.expr(child)
            elif isinstance(child, ast.stmt):
                self.visit(child)

    def visit_Expr(self, node: ast.Expr) -> None:
        if not self.magic(node.value):
            self.expr(node.value)

    def visit_Assign(self, node: ast.Assign) -> None:
        self.expr(node.value)
        literal = node.value.value if isinstance(node.value, ast.Constant) and isinstance(
            node.value.value, str) else None
        if (len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                and isinstance(node.value, ast.Lambda) and self.branch_depth == 0):
            self.define_lambda(node.targets[0].id, node)
            return
        path = path_expr(node.value) if literal is None else None
        # `a = b = {}`: one object under two names, changed through either
        shared = len(node.targets) > 1 and not is_constant(node.value)
        for target in node.targets:
            self.target(target, node.value, literal, literal_path=path, unpacked=shared,
                        part=None if shared else node.value)
            self.unpacked_together(target, node.value)
        self.assigned_together(node.targets)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.expr(node.value)
            self.target(node.target, node.value, None)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.expr(node.value)
        if isinstance(node.target, ast.Name):
            self.read(node.target.id, node)
            self.mutate(node.target.id, node)  # `lst += [x]` changes lst in place
            self.bind(node.target.id, node)
        else:
            self.store_into(node.target)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.define_function(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.define_class(node)

    def visit_Import(self, node: ast.Import | ast.ImportFrom) -> None:
        self.import_(node)

    visit_ImportFrom = visit_Import

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        self.expr(node.iter)
        self.branch_depth += 1
        self.target(node.target, node.iter, None, elements=True)
        self.statements(node.body)
        self.statements(node.orelse)
        self.branch_depth -= 1

    visit_AsyncFor = visit_For

    def visit_While(self, node: ast.While) -> None:
        self.expr(node.test)
        self.branch(node.body)
        self.branch(node.orelse)

    def visit_If(self, node: ast.If) -> None:
        self.expr(node.test)
        self.branch(node.body)
        self.branch(node.orelse)

    def visit_With(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            self.expr(item.context_expr)
            if item.optional_vars is not None:
                self.target(item.optional_vars, None, None)
        self.statements(node.body)

    visit_AsyncWith = visit_With

    def visit_Try(self, node: ast.Try) -> None:
        self.branch(node.body)
        for handler in node.handlers:
            if handler.type is not None:
                self.expr(handler.type)
            hide = handler.name and handler.name not in self.hidden
            if hide:
                self.hidden.add(handler.name)
            self.branch(handler.body)
            if hide:
                self.hidden.discard(handler.name)
        self.branch(node.orelse)
        self.statements(node.finalbody)

    visit_TryStar = visit_Try  # except* (Python 3.11)

    def visit_Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            if isinstance(target, ast.Name):
                self.effects.append(Delete(target.id, self._line(node)))
            elif isinstance(target, (ast.Tuple, ast.List)):
                for elt in target.elts:
                    self.visit(ast.Delete(targets=[elt], lineno=node.lineno))
            else:
                self.store_into(target)

    def visit_Match(self, node: ast.Match) -> None:
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

    def visit_Global(self, node: ast.stmt) -> None:
        """Global, Nonlocal, Pass, Break, Continue: nothing to read or bind."""

    visit_Nonlocal = visit_Pass = visit_Break = visit_Continue = visit_Global

    def target(self, target: ast.AST, value: ast.AST | None, literal: str | None,
               elements: bool = False, literal_path: PathExpr | None = None,
               part: ast.AST | None = None, unpacked: bool = False) -> None:
        """`unpacked`: the target is one name of an unpacking (`a, b = 1, 2`), so `value` is
        not its value alone; `part` is then the element it gets, where that is known."""
        if isinstance(target, ast.Name):
            self.bind(target.id, target, literal, value is not None and is_constant(value),
                      figure=value is not None and makes_figure(value),
                      literal_path=literal_path, value=None if elements else value,
                      literal_of=None if elements else part if unpacked else value)
            roots = alias_roots(value, elements) if value is not None else frozenset()
            if roots:
                self.effects.append(Alias(target.id, self._line(target), roots))
            held = container_of(value) if not elements else frozenset()
            if held - roots:
                self.effects.append(Alias(target.id, self._line(target), held - roots, True))
        elif isinstance(target, (ast.Tuple, ast.List)):
            parts: list[ast.AST | None] = [None] * len(target.elts)
            source = part if unpacked else value
            if isinstance(source, (ast.Tuple, ast.List)) and len(source.elts) == len(parts) \
                    and not any(isinstance(e, ast.Starred) for e in (*source.elts, *target.elts)):
                parts = list(source.elts)  # `w, h = 10, 5`: each name gets its own element
            for elt, elt_part in zip(target.elts, parts):
                self.target(elt, value, None, elements, part=elt_part, unpacked=True)
        elif isinstance(target, ast.Starred):
            self.target(target.value, value, None, elements, unpacked=True)
        else:
            self.store_into(target, value)

    def unpacked_together(self, target: ast.AST, value: ast.AST) -> None:
        """`fig, axes = plt.subplots()`, `first, *rest = rows`: names unpacked from one object
        may share objects with each other (the axes belong to the figure), so a change through
        one is a change to all; `a, b = x, y` pairs them up instead."""
        if not isinstance(target, (ast.Tuple, ast.List)) or isinstance(value, (ast.Tuple,
                                                                               ast.List)):
            return
        names: set[str] = set()
        target_names(target, names)
        names -= self.hidden
        if len(names) > 1:
            for name in sorted(names):
                self.effects.append(Alias(name, self._line(target), frozenset(names - {name})))

    def assigned_together(self, targets: list[ast.expr]) -> None:
        """`x = y = []`, `a = d['k'] = {}`: the targets of one assignment hold the very same
        object, so a change through one is a change through all."""
        if len(targets) < 2:
            return
        names: set[str] = set()
        for target in targets:
            if isinstance(target, (ast.Tuple, ast.List, ast.Starred, ast.Name)):
                target_names(target, names)
            elif root_name(target):
                names.add(root_name(target))
        names -= self.hidden
        if len(names) > 1:
            line = self._line(targets[0])
            for name in sorted(names):
                self.effects.append(Alias(name, line, frozenset(names - {name})))

    def store_into(self, target: ast.AST, value: ast.AST | None = None) -> None:
        """`a.b = v`, `a[k] = v`, `del a[k]`: reads and may mutate `a`, which holds `v` now."""
        for child in ast.iter_child_nodes(target):
            if isinstance(child, ast.expr) and not isinstance(child, ast.expr_context):
                self.expr(child)
        name = root_name(target)
        if name:
            # `b[k] = v` / `del b[k]` replaces what b holds; `b[k].x = v` changes an element
            self.mutate(name, target, shallow=isinstance(target, ast.Subscript)
                        and isinstance(target.value, ast.Name))
            if value is not None:
                self.store(name, target, value)
                # `holder.c = c`, `d[k] = c`: holder (d) now shares c's objects
                shared = alias_roots(value) - {name}
                if shared:
                    self.effects.append(Alias(name, self._line(target), shared))

    # -- definitions ---------------------------------------------------------------------
    def _source_of(self, node: ast.stmt) -> str:
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        last = node.end_lineno or node.lineno
        return "".join(self.lines[first - 1:last]).rstrip() + "\n"

    def define_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        def_reads = self._definition_reads(node.decorator_list, node.args, node.returns)
        s = function_summary(node)
        now = function_summary(node, immediate=True)
        self._define(node.name, "function", node, s, def_reads, now.mutates | now.binds)

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
                def_reads: frozenset[str], immediate_changes: set[str] | None = None) -> None:
        if self.branch_depth:  # a conditional definition is a plain value
            self.bind(name, node, definition=True)
            return
        body = node.value if isinstance(node, ast.Assign) else node
        params = parameter_names(body)
        calls, seeds = body_calls(body, frozenset(s.reads), SEEDING_FUNCTIONS)
        param_calls, _ = body_calls(body, frozenset(s.reads) | params, frozenset())
        param_calls = tuple(c for c in param_calls if c not in calls)
        dynamic = next((d for d in (dynamic_call(n) for n in ast.walk(body)
                                    if isinstance(n, ast.Call)) if d), "")
        if dynamic:
            self.problems.append(Problem(
                "dynamic-code", "warning",
                f"'{name}' calls '{dynamic}', which can read or change any variable, so nb2pipe "
                f"cannot see what flows where it is called; a stage that calls it receives and "
                f"hands on every variable it can. Pass the values as arguments instead",
                self._line(node), node.col_offset + 1))
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
            **_decorator_facts(getattr(node, "decorator_list", [])),
            immediate_changes=frozenset(immediate_changes or ()),
            calls=calls,
            seeds=seeds,
            module_calls=tuple(sorted(s.module_calls)),
            settings=body_settings(node) if isinstance(
                node, (ast.FunctionDef, ast.AsyncFunctionDef)) else (),
            local_names=local_names(node),
            keeps_state=keeps_state(node, s.mutated_params),
            returns_closure=returns_closure(node),
            drawn=frozenset(s.drawn - {name}),
            drawn_params=s.drawn_params,
            pickling=pickling_method(node) if kind == "class" else "",
            dynamic=dynamic,
            param_calls=param_calls,
        )
        self.effects.append(Define(name, self._line(node), definition))

    def import_(self, node: ast.Import | ast.ImportFrom) -> None:
        for alias in node.names:
            statement = import_statement(node, alias)
            if alias.name == "*":
                module = statement.split()[1]
                self.effects.append(Star(module, self._line(node), statement))
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
                self.effects.append(Import(name, self._line(node), statement))


# Methods by which a class decides what pickling saves of its instances.
PICKLING_METHODS = ("__getstate__", "__reduce__", "__reduce_ex__")


def pickling_method(node: ast.AST) -> str:
    """The class's own pickling method (facts.Definition.pickling), or ""."""
    if not isinstance(node, ast.ClassDef):
        return ""
    own = {s.name for s in node.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))}
    return next((m for m in PICKLING_METHODS if m in own), "")


def parameter_names(node: ast.AST) -> frozenset[str]:
    """A function's or lambda's parameters; none for anything else."""
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        return frozenset()
    a = node.args
    names = [x.arg for x in a.posonlyargs + a.args + a.kwonlyargs]
    names += [x.arg for x in (a.vararg, a.kwarg) if x is not None]
    return frozenset(names)


def _decorator_facts(decorators: list[ast.expr]) -> dict:
    names: list[str] = []
    changes: set[str] = set()
    registers: list[str] = []
    for d in decorators:
        func = d.func if isinstance(d, ast.Call) else d
        if dotted(func).rsplit(".", 1)[-1].startswith("register"):
            registers.append(dotted(func))
        if isinstance(func, ast.Name):
            names.append(func.id)
        elif isinstance(func, ast.Attribute) and is_mutating_call(ast.Call(func, [], [])):
            root = root_name(func.value)
            if root:
                changes.add(root)
    return {"decorators": tuple(names), "decorator_changes": frozenset(changes),
            "registered_by": tuple(registers)}
