"""What the syntax of a value bound to a name says about it, for facts.Bind: its source when
it is a literal, the expression on a module it was made by (a handle), and why it cannot be
saved for a later stage."""

from __future__ import annotations

import ast

from .knowledge import UNSAVEABLE_MAKERS, WRAPPING_BUILTINS
from .syntax import dotted

# A literal longer than this is no statement to repeat at the top of every later stage.
LONGEST_LITERAL = 2000


def literal_source(value: ast.AST) -> str:
    """`{"figure.figsize": (30, 10)}`, `4`, `["a", "b"]`: the value as source when it is made of
    literals only (what `ast.literal_eval` accepts), so that evaluating it again makes an equal
    value; "" for anything else."""
    try:
        ast.literal_eval(value)
        source = ast.unparse(value)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return ""
    return source if len(source) <= LONGEST_LITERAL else ""


def handle_of(value: ast.AST) -> str:
    """`logging.getLogger("nb")`, `decimal.getcontext()`, `pd.options.display`: attributes and
    calls with literal arguments on one name, as source; "" for anything else."""
    node, steps = value, 0
    while isinstance(node, (ast.Attribute, ast.Call)):
        if isinstance(node, ast.Call):
            if not all(isinstance(a, ast.Constant) for a in node.args) or not all(
                    k.arg and isinstance(k.value, ast.Constant) for k in node.keywords):
                return ""
            node = node.func
        else:
            node = node.value
        steps += 1
    if not steps or not isinstance(node, ast.Name):
        return ""
    try:
        return ast.unparse(value)
    except ValueError:
        return ""


def cannot_cross(value: ast.AST | None) -> str:
    """Why a value made this way cannot be saved for a later stage (pickled), or ""."""
    if isinstance(value, ast.GeneratorExp):
        return "a generator"
    if not isinstance(value, ast.Call):
        return ""
    module, _, name = dotted(value.func).rpartition(".")
    made = UNSAVEABLE_MAKERS.get(("", name)) or UNSAVEABLE_MAKERS.get(
        (module.rsplit(".", 1)[-1], name))
    if made:
        return made
    if isinstance(value.func, ast.Name) and value.func.id in WRAPPING_BUILTINS:
        for arg in value.args:  # `iter(open(p))`, `enumerate(open(p))`
            wrapped = cannot_cross(arg)
            if wrapped:
                return wrapped
    if name == "defaultdict" and value.args and isinstance(value.args[0], ast.Lambda):
        return "a defaultdict whose default is a lambda"
    return ""
