"""What a value holds, for values that cannot cross stages (issue 10 items 4 and 9): an object
whose class decides what pickling saves of it (`__getstate__`, `__reduce__`) may leave state
out, and a generator or an open file cannot be saved at all. A value is refused at convert not
only when it is such an object (`cache = Cache()`), but also when it may hold one: a list or
dict of them, an object given one (`Wrapper(Cache())`, `holder.cache = c`,
`caches.append(Cache())`), or what a notebook function or class that makes them returns.

`contents` reads an expression's syntax (the cell visitor), `held_reason` decides with the
fold's bindings, `HeldObjects` is the fold's part for objects given to others to hold."""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import Mapping

from .bindings import Binding
from .facts import NOTHING_HELD, Bind, Contents
from .fold_state import FoldState
from .scopes import root_name

# How a reason reads for a value that holds (or may be) an object that cannot cross.
HOLDING = "a value that may hold "
_PICKLING = "decides what is saved of it"
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def contents(value: ast.AST | None) -> Contents:
    """(holds, parts, makers) of an expression: the names whose objects (or elements) it may
    hold or be (`[c]`, `Wrapper(c)`, `caches[0]`, `a + b`), the names it takes parts of
    (`holder.cache`, `model.predict(x)`: an attribute's or a method's result), and the plain
    names it calls (`Cache()`, also inside a comprehension)."""
    holds: set[str] = set()
    parts: set[str] = set()
    makers: set[str] = set()
    stack = [value] if value is not None else []
    while stack:
        n = stack.pop()
        if isinstance(n, ast.Name):
            holds.add(n.id)
        elif isinstance(n, ast.Attribute):
            root = root_name(n)
            if root:
                parts.add(root)
            else:
                stack.append(n.value)
        elif isinstance(n, (ast.Subscript, ast.Starred, ast.NamedExpr, ast.Await)):
            stack.append(n.value)  # an element of what it indexes is what it holds
        elif isinstance(n, (ast.List, ast.Tuple, ast.Set)):
            stack.extend(n.elts)
        elif isinstance(n, ast.Dict):
            stack.extend(k for k in n.keys if k is not None)
            stack.extend(n.values)
        elif isinstance(n, ast.IfExp):
            stack.extend((n.body, n.orelse))
        elif isinstance(n, ast.BoolOp):
            stack.extend(n.values)
        elif isinstance(n, ast.BinOp):
            stack.extend((n.left, n.right))
        elif isinstance(n, ast.Call):
            if isinstance(n.func, ast.Name):
                makers.add(n.func.id)
            elif isinstance(n.func, ast.Attribute):
                stack.append(n.func)  # a method's result: a part of its receiver
            stack.extend(n.args)
            stack.extend(k.value for k in n.keywords)
        elif isinstance(n, _COMPREHENSIONS):
            stack.extend(g.iter for g in n.generators)
            for elt in (getattr(n, "elt", None), getattr(n, "key", None),
                        getattr(n, "value", None)):
                if elt is not None:
                    makers.update(c.func.id for c in ast.walk(elt)
                                  if isinstance(c, ast.Call) and isinstance(c.func, ast.Name))
    if not (holds or parts or makers):
        return NOTHING_HELD
    return Contents(frozenset(holds), frozenset(parts), frozenset(makers))


def cannot_cross_reason(env: Mapping[str, Binding], bind: Bind) -> str:
    """Why the value a statement binds cannot cross stages, or "": how it is made (a generator,
    `open(...)`: the cell visitor says), what a notebook function made it (a closure, an
    instance of a class with its own pickling), or what it holds."""
    maker = env.get(bind.made_by) if bind.made_by else None
    made = maker.definition if maker is not None and maker.kind == "definition" else None
    if bind.cannot_cross:
        return bind.cannot_cross
    if made is not None and made.returns_closure:
        return f"a function made inside '{bind.made_by}' (a closure)"
    if made is not None and made.pickling:
        return (f"an instance of '{bind.made_by}', whose {made.pickling} {_PICKLING} (it may "
                "leave state out)")
    return held_reason(env, bind.contents)


def held_reason(env: Mapping[str, Binding], held: Contents) -> str:
    """Why a value with these contents cannot cross stages, or ""."""
    for name in sorted(held.holds):  # what pickling an object leaves out: also where it is held
        binding = env.get(name)  # (a generator or a file held is consumed, `list(gen)`)
        if binding is not None and binding.kind == "value" and _PICKLING in binding.cannot_cross:
            return holding(binding.cannot_cross)
    for name in sorted(held.parts):  # a part of an object that cannot cross is its state, but
        binding = env.get(name)  # a part of a container of such objects may be one of them
        if binding is not None and binding.kind == "value" \
                and binding.cannot_cross.startswith(HOLDING):
            return binding.cannot_cross
    for name in sorted(held.makers):
        made = pickling_made_by(env, name, set())
        if made:
            return HOLDING + made
    return ""


def pickling_made_by(env: Mapping[str, Binding], name: str, seen: set[str]) -> str:
    """When calling notebook definition `name` may make an object whose class decides what
    pickling saves: the class (its own method or a base's), or a function or class whose body
    uses such a class. "" otherwise."""
    binding = env.get(name)
    if name in seen or binding is None or binding.kind != "definition" \
            or binding.definition is None:
        return ""
    seen.add(name)
    definition = binding.definition
    if definition.kind == "class":
        method = definition.pickling or next(
            (_method(env, base) for base in sorted(definition.def_reads)
             if _method(env, base)), "")
        if method:
            return f"an instance of '{name}', whose {method} {_PICKLING} (it may leave state out)"
    for read in sorted(definition.reads):
        made = pickling_made_by(env, read, seen)
        if made:
            return made
    return ""


def _method(env: Mapping[str, Binding], base: str) -> str:
    binding = env.get(base)
    definition = binding.definition if binding is not None else None
    return definition.pickling if definition is not None and definition.kind == "class" else ""


def holding(reason: str) -> str:
    return reason if reason.startswith(HOLDING) else HOLDING + reason


class HeldObjects(FoldState):
    """Part of flows._Fold: objects given to another to hold."""

    def stored(self, name: str, held: Contents) -> None:
        """The object under `name` now holds `held`: one that cannot cross makes it one too,
        and so every name sharing it."""
        reason = held_reason(self.env, held)
        for target in self.change_closure(name, False) if reason else ():
            binding = self.env.get(target)
            if binding is not None and binding.kind == "value" and not binding.cannot_cross:
                self.env[target] = replace(binding, cannot_cross=holding(reason))
