"""What a function definition carries between calls or out of its body: its own names, state
kept between calls (a changed mutable default, a cache decorator), closures it returns."""

from __future__ import annotations

import ast

from .scopes import is_mutating_call
from .syntax import dotted, is_constant


def local_names(node: ast.stmt) -> frozenset[str]:
    """A function's parameters and the names its body binds (without `global`)."""
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return frozenset()
    args = node.args
    names = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
    names |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
    declared = {n for sub in ast.walk(node) if isinstance(sub, ast.Global) for n in sub.names}
    names |= {sub.id for sub in ast.walk(node)
              if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store)}
    return frozenset(names - declared)


# Decorators that keep results between calls.
CACHING_DECORATORS = frozenset({"lru_cache", "cache", "cached", "memoize", "memoized"})


def keeps_state(node: ast.stmt, mutated_params: frozenset[str]) -> str:
    if isinstance(node, ast.ClassDef):
        return class_keeps_state(node)
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return ""
    for d in node.decorator_list:
        func = d.func if isinstance(d, ast.Call) else d
        if dotted(func).rsplit(".", 1)[-1] in CACHING_DECORATORS:
            return f"it is cached by @{dotted(func)}"
    args = node.args
    positional = args.posonlyargs + args.args
    defaults = list(zip(positional[len(positional) - len(args.defaults):], args.defaults))
    defaults += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None]
    for arg, default in defaults:
        if arg.arg in mutated_params and not is_constant(default):
            return f"its default argument '{arg.arg}' is changed by its body"
    return ""


def class_keeps_state(node: ast.ClassDef) -> str:
    """Why a class changes itself when it is used (`type(self).count += 1` in `__init__`,
    `cls.items.append(x)` in a classmethod, `self.seen.append(x)` on a list of the class body
    that no method replaces with one of the instance's own), or "" when it does not."""
    mutable = {t.id for stmt in node.body if isinstance(stmt, (ast.Assign, ast.AnnAssign))
               and stmt.value is not None and not is_constant(stmt.value)
               for t in (stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target])
               if isinstance(t, ast.Name)}
    methods = [m for m in node.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))]
    # attributes a method gives the instance of its own (`self.seen = []`)
    own = {t.attr for m in methods for n in ast.walk(m) if isinstance(n, (ast.Assign,
                                                                          ast.AnnAssign))
           for t in (n.targets if isinstance(n, ast.Assign) else [n.target])
           if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name)
           and t.value.id == _first_param(m)}
    for method in methods:
        for d in method.decorator_list:  # `@functools.cache def f(self, x)`: one cache, kept
            func = d.func if isinstance(d, ast.Call) else d  # on the class for every instance
            if dotted(func).rsplit(".", 1)[-1] in CACHING_DECORATORS:
                return f"it is cached by @{dotted(func)} on its method '{method.name}'"
        first = _first_param(method)
        is_class = any(dotted(d) == "classmethod" for d in method.decorator_list)
        classes = {node.name} | ({first} if is_class and first else set())
        for n in ast.walk(method):
            changed = _changed_object(n)
            for target in changed:
                if _is_class_object(target, classes, first if not is_class else ""):
                    return (f"its method '{method.name}' changes the class itself "
                            f"(line {n.lineno})")
                if not is_class and _self_attribute(target, first) in mutable - own:
                    return (f"its method '{method.name}' changes '{_self_attribute(target, first)}'"
                            f", an attribute of the class shared by every instance (line "
                            f"{n.lineno})")
    return ""


def _first_param(method: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    args = method.args.posonlyargs + method.args.args
    return args[0].arg if args else ""


def _changed_object(n: ast.AST) -> list[ast.expr]:
    """What a statement or call inside a method changes: the object an attribute or item is
    stored on (`X.a = v` -> X), or the receiver of a method that may change it."""
    if isinstance(n, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
        targets = n.targets if isinstance(n, (ast.Assign, ast.Delete)) else [n.target]
        return [t.value for t in targets if isinstance(t, (ast.Attribute, ast.Subscript))]
    if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and is_mutating_call(n):
        return [n.func.value]
    return []


def _is_class_object(expr: ast.expr, classes: set[str], self_name: str) -> bool:
    """Whether `expr` is (an attribute or item of) the class: its name, `cls`, `type(self)`,
    `self.__class__`."""
    while True:
        if isinstance(expr, ast.Name):
            return expr.id in classes
        if isinstance(expr, ast.Call) and dotted(expr.func) == "type" and len(expr.args) == 1:
            return isinstance(expr.args[0], ast.Name) and expr.args[0].id == self_name != ""
        if isinstance(expr, ast.Attribute) and expr.attr == "__class__" and isinstance(
                expr.value, ast.Name):
            return expr.value.id == self_name != ""
        if isinstance(expr, (ast.Attribute, ast.Subscript)):
            expr = expr.value
            continue
        return False


def _self_attribute(expr: ast.AST, self_name: str) -> str:
    """'items' for `self.items` (and for `self.items[k]`, `self.items.x`), else ""."""
    while isinstance(expr, (ast.Attribute, ast.Subscript)):
        if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) \
                and expr.value.id == self_name != "":
            return expr.attr
        expr = expr.value
    return ""


def returns_closure(node: ast.stmt) -> bool:
    """`def make(k): return lambda x: x * k`, or a `def inner` returned by name."""
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    inner = {n.name for n in ast.walk(node)
             if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n is not node}
    for n in ast.walk(node):
        if isinstance(n, ast.Return) and n.value is not None:
            if isinstance(n.value, ast.Lambda) or (
                    isinstance(n.value, ast.Name) and n.value.id in inner):
                return True
    return False
