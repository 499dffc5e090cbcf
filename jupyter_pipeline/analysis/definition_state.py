"""What a function definition carries between calls or out of its body: its own names, state
kept between calls (a changed mutable default, a cache decorator), closures it returns."""

from __future__ import annotations

import ast

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
