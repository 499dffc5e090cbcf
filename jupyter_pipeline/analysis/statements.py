"""The statement half of the cell visitor: walks a cell's top-level statements in execution
order (bindings in branches and loops are not definite) and records imports; definitions are
definition_visitor.py's.

One `visit_<Statement>` method per statement kind, dispatched as ast.NodeVisitor does; a kind
without a method (Return, Raise, Assert and anything newer) reads what it mentions."""

from __future__ import annotations

import ast
from dataclasses import replace

from .containers import container_of
from .definition_visitor import DefinitionVisitor
from .facts import Alias, Delete, Import, PathExpr, Problem, Star
from .setting_syntax import compound_setting, setting_of
from .scopes import root_name, target_names
from .syntax import alias_roots, import_statement, is_constant, makes_figure, path_expr


class CellVisitor(DefinitionVisitor, ast.NodeVisitor):
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
