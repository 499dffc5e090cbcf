"""Which statements may be library or process settings (`pd.set_option(...)`, `os.environ[k] =
v`, `%env`), as facts.Setting records; the fold decides with the imports which ones are."""

from __future__ import annotations

import ast

from .facts import Setting
from .syntax import dotted


# IPython line magics that change the kernel's state for the rest of the notebook.
SETTING_MAGICS = frozenset({"env", "matplotlib", "config", "load_ext", "precision",
                            "autoreload", "pylab"})


def setting_of(node: ast.stmt, line: int) -> Setting | None:
    """`pd.set_option(...)`, `plt.rcParams["k"] = v`, `decimal.getcontext().prec = 5`, `%env`:
    maybe a library setting (the fold knows the imports, and knowledge.SETTINGS which of these
    are settings). Calls in the chain (`getcontext()`) are left out of the dotted name."""
    kind = "call"
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        call = node.value
        if isinstance(call.func, ast.Attribute) and call.func.attr == "run_line_magic" \
                and isinstance(call.func.value, ast.Call) \
                and dotted(call.func.value.func) == "get_ipython" and call.args \
                and isinstance(call.args[0], ast.Constant) and call.args[0].value in SETTING_MAGICS:
            magic = _source(node)
            return Setting(f"%{call.args[0].value}", line, magic, frozenset(), "magic") \
                if magic is not None else None
        name = dotted(call.func)
        if name == "setattr" and len(call.args) == 3 and dotted(call.args[0]):
            # `setattr(mod, "K", 2)` is `mod.K = 2`, with a name only the run may know
            attr = call.args[1]
            name = dotted(call.args[0]) + "." + (
                attr.value if isinstance(attr, ast.Constant) and isinstance(attr.value, str)
                else "_")
            kind = "assign"
    elif isinstance(node, ast.Assign) and len(node.targets) == 1 \
            and isinstance(node.targets[0], (ast.Attribute, ast.Subscript)):
        target = node.targets[0]
        name = dotted(target.value if isinstance(target, ast.Subscript) else target)
        kind = "assign"
    else:
        return None
    name = name.replace("()", "")
    if not name or "(" in name or "." not in name and kind == "assign":
        return None
    reads = frozenset(n.id for n in ast.walk(node)
                      if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load))
    source = _source(node)
    if source is None:
        return None
    return Setting(name, line, source, reads, kind)


def compound_setting(node: ast.stmt, line_offset: int) -> Setting | None:
    """An if / for / try whose every statement is a setting candidate (or `pass`), such as
    `if not sys.warnoptions: warnings.simplefilter("ignore")` or `try: pd.set_option(...)
    except KeyError: pass`: the whole statement, to make again as it stands. It reads what its
    parts read, less the names it binds itself (a loop variable, `except ... as e`)."""
    if not isinstance(node, (ast.If, ast.For, ast.Try)):
        return None
    inner: list[Setting] = []
    if not _only_settings(node, line_offset, inner) or not inner:
        return None
    source = _source(node)
    if source is None:
        return None
    bound = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    bound |= {h.name for h in ast.walk(node) if isinstance(h, ast.ExceptHandler) and h.name}
    reads = frozenset(n.id for n in ast.walk(node)
                      if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)) - bound
    return Setting("", node.lineno + line_offset, source, reads, "compound", tuple(inner),
                   frozenset(bound))


def _only_settings(node: ast.stmt, line_offset: int, found: list[Setting]) -> bool:
    if isinstance(node, ast.Pass):
        return True
    if isinstance(node, (ast.If, ast.For, ast.Try)):
        parts = [*node.body, *node.orelse]
        if isinstance(node, ast.Try):
            parts += [*node.finalbody, *(s for h in node.handlers for s in h.body)]
        return all(_only_settings(part, line_offset, found) for part in parts)
    setting = setting_of(node, node.lineno + line_offset)
    if setting is None or setting.kind == "magic":
        return False
    found.append(setting)
    return True


def _source(node: ast.stmt) -> str | None:
    """The statement as Python. Python 3.11's unparse cannot write some f-strings (a
    backslash in an expression part): such a statement is no setting nb2pipe repeats."""
    try:
        return ast.unparse(node)
    except ValueError:
        return None


def body_settings(node: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[Setting, ...]:
    """The settings a function's body makes at its top level (line numbers of the body)."""
    found = (setting_of(stmt, stmt.lineno) for stmt in node.body)
    return tuple(s for s in found if s is not None and not s.kind.startswith("branch"))
