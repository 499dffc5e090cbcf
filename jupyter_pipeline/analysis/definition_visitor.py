"""The cell visitor's definitions: `def`, `lambda` bound to a name and `class` statements
become facts.Definition records (what the body reads, binds and changes, its decorators, calls,
settings and seeds), or a plain value when defined inside a branch."""

from __future__ import annotations

import ast

from .definition_state import keeps_state, local_names, returns_closure
from .expressions import ExpressionVisitor
from .facts import Define, Definition, Problem
from .knowledge import SEEDING_FUNCTIONS
from .setting_syntax import body_settings
from .scopes import (ScopeSummary, class_summaries, function_summary, is_mutating_call,
                     lambda_summary, root_name)
from .syntax import body_calls, dotted, dynamic_call


class DefinitionVisitor(ExpressionVisitor):
    """Part of statements.CellVisitor: the definitions a cell makes."""

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
