"""Small readings of Python syntax trees shared by the cell visitor: parsing without the
host's warnings, syntax problems as the user should see them, and the literal shape of paths,
dotted names and values."""

from __future__ import annotations

import ast
import re
import warnings

from .facts import CallSite, PathExpr, Problem
from .knowledge import (CONTAINER_BUILTINS, DYNAMIC_CALLS, FIGURE_CALLS, KEEPING_FACTORIES,
                        PART_METHODS, SELECTING_BUILTINS, SELECTING_KEYWORDS, SHARING_BUILTINS,
                        SHARING_METHODS, VIEW_FUNCTIONS)
from .scopes import no_copy, root_name, target_names


def parse(source: str, mode: str = "exec") -> ast.AST:
    """ast.parse without the host's warnings about the user's code (`"\\."` escapes...): the
    analysis reports problems as diagnostics, and a warnings filter set to "error" must not turn
    a notebook's harmless escape into a crash."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(source, mode=mode)


def named_in(body: list[ast.stmt]) -> list[str]:
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


def syntax_problem(source: str, python: str, exc: SyntaxError) -> Problem:
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


# A part of a path only the run knows (no variable of the notebook's holds it).
UNKNOWN = "<unknown>"
_BRACES = re.compile(r"\{[^{}]*\}")
_PERCENT = re.compile(r"%[-#0 +]*\d*(?:\.\d+)?[sdifrx]")


def _text(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def path_expr(node: ast.AST) -> PathExpr | None:
    """The literal shape of a path argument: "a.csv", base + "a.csv", os.path.join(base, "a")."""
    parts: list[tuple[str, str]] = []

    def templated(pieces: list[str]) -> bool:
        """A template's literal text, with an unknown part at each placeholder."""
        if any(("{" in p or "}" in p or "%" in p) for p in pieces):
            return False  # escaped braces or percents: not worth guessing
        for i, piece in enumerate(pieces):
            if i:
                parts.append(("n", UNKNOWN))
            if piece:
                parts.append(("s", piece))
        return True

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
                else:  # f"{row['id']}", f"{i:03d}": known only to the run, as its folder is
                    parts.append(("n", UNKNOWN))
            return True
        if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Mod) and _text(n.left):
            return templated(_PERCENT.split(n.left.value))  # "data/%s.csv" % name
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) \
                and n.func.attr == "format" and _text(n.func.value):
            return templated(_BRACES.split(n.func.value.value))  # "data/{}.csv".format(name)
        if isinstance(n, ast.Call):
            name = dotted(n.func)
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


def dotted(node: ast.AST) -> str:
    names = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        names.append(node.id)
    elif isinstance(node, ast.Call):
        names.append(dotted(node.func) + "()")
    return ".".join(reversed(names))


def is_constant(node: ast.AST) -> bool:
    """`3`, `-1.5`, `"a"`, `f"{x}"`, `(1, "b")`, `None`: values no one can change in place."""
    if isinstance(node, (ast.Constant, ast.JoinedStr)):
        return True
    if isinstance(node, ast.UnaryOp) and isinstance(node.operand, ast.Constant):
        return True
    if isinstance(node, ast.Tuple):
        return all(is_constant(e) for e in node.elts)
    return False


def makes_figure(value: ast.AST) -> bool:
    """`plt.subplots(...)`, `fig.add_subplot()`, `plt.figure()[...]`: a figure or its axes."""
    while isinstance(value, (ast.Subscript, ast.Attribute)) and not isinstance(value, ast.Call):
        if isinstance(value, ast.Attribute):
            return False  # `plt.subplots()[0].figure` and such: not worth following
        value = value.value
    return isinstance(value, ast.Call) and dotted(value.func).rsplit(".", 1)[-1] in FIGURE_CALLS


def dynamic_call(node: ast.Call) -> str | None:
    """'globals()', 'exec()', 'getattr(sys.modules[...])'...: code that reaches any variable."""
    func = node.func
    if not isinstance(func, ast.Name):
        return None
    if func.id in DYNAMIC_CALLS and not (func.id == "vars" and node.args):
        return f"{func.id}()"
    if func.id == "getattr" and node.args and "sys.modules" in ast.unparse(node.args[0]):
        return "getattr(sys.modules[...])"
    return None


def alias_roots(value: ast.AST, elements: bool = False) -> frozenset[str]:
    """Names whose objects `value` may share: `b`, `b.x`, `b[0]`, `[a, b]`, `x if c else y`.
    `elements`: `value` is what a loop iterates over, so its elements are what is bound."""
    roots: set[str] = set()
    stack = [value]
    while stack:
        n = stack.pop()
        if isinstance(n, (ast.Name, ast.Attribute, ast.Subscript, ast.Starred)):
            r = root_name(n)
            if r:
                roots.add(r)
            else:  # a part of a call's result: `sorted(rows)[0]`, `max(rows).items`
                base = n
                while isinstance(base, (ast.Attribute, ast.Subscript, ast.Starred)):
                    base = base.value
                if isinstance(base, ast.Call) and isinstance(base.func, ast.Name) \
                        and base.func.id in CONTAINER_BUILTINS:
                    stack.extend(base.args)
                elif isinstance(base, (ast.Call, *_COMPREHENSIONS)):
                    stack.append(base)
        elif isinstance(n, (ast.List, ast.Tuple, ast.Set)):
            stack.extend(n.elts)
        elif isinstance(n, ast.Dict):
            stack.extend(v for v in n.values if v is not None)
        elif isinstance(n, ast.IfExp):
            stack.extend((n.body, n.orelse))
        elif isinstance(n, ast.NamedExpr):
            stack.append(n.value)
        elif isinstance(n, _COMPREHENSIONS):
            stack.extend(_comprehension_sources(n))
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Name) \
                and n.func.id in SELECTING_BUILTINS:
            stack.extend(n.args)
            stack.extend(k.value for k in n.keywords if k.arg in SELECTING_KEYWORDS)
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) \
                and n.func.attr in PART_METHODS:
            receiver = n.func.value  # `dict(pairs).get(k)`: an element of what dict was given
            if isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Name) \
                    and receiver.func.id in CONTAINER_BUILTINS:
                stack.extend(receiver.args)
            else:
                stack.append(receiver)
        elif isinstance(n, ast.Call) and n.args and _numpy_view(n):
            stack.append(n.args[0])
        elif isinstance(n, ast.Call) and _keeps_arguments(n):
            stack.extend(n.args)
            stack.extend(k.value for k in n.keywords)
            if isinstance(n.func, ast.Attribute) and no_copy(n):  # df.astype(t, copy=False)
                stack.append(n.func.value)
        elif elements and isinstance(n, ast.Call) and _shares_elements(n):
            stack.extend(n.args)
            if isinstance(n.func, ast.Attribute):
                stack.append(n.func.value)
    return frozenset(roots)


_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def _comprehension_sources(node: ast.AST) -> list[ast.expr]:
    """`{r["id"]: r for r in rows}`, `[m for m in models.values()]`: what the comprehension
    iterates over, when what it builds holds the loop's elements (not only values made from
    them: a name of the loop appears as itself, or reached by `.` or `[]`)."""
    bound: set[str] = set()
    for gen in node.generators:  # type: ignore[attr-defined]
        target_names(gen.target, bound)
    built = [getattr(node, p) for p in ("elt", "key", "value") if hasattr(node, p)]
    if not any(root_name(b) in bound or (isinstance(b, (ast.Tuple, ast.List)) and any(
            root_name(e) in bound for e in b.elts)) for b in built):
        return []
    sources: list[ast.expr] = []
    for gen in node.generators:  # type: ignore[attr-defined]
        it = gen.iter
        if isinstance(it, ast.Call) and (_shares_elements(it) or (
                isinstance(it.func, ast.Name) and it.func.id in SELECTING_BUILTINS)):
            sources.extend(it.args)
            if isinstance(it.func, ast.Attribute):
                sources.append(it.func.value)
        else:
            sources.append(it)
    return sources


def _numpy_view(call: ast.Call) -> bool:
    """`np.reshape(a, ...)`, `numpy.asarray(a)`: a view of the first argument."""
    module, _, name = dotted(call.func).rpartition(".")
    return name in VIEW_FUNCTIONS and module.split(".")[0] in ("np", "numpy")


def _keeps_arguments(call: ast.Call) -> bool:
    func = call.func
    name = func.id if isinstance(func, ast.Name) else (
        func.attr if isinstance(func, ast.Attribute) else "")
    return name in KEEPING_FACTORIES or name[:1].isupper() or no_copy(call)



def _shares_elements(call: ast.Call) -> bool:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id in SHARING_BUILTINS
    return isinstance(func, ast.Attribute) and func.attr in SHARING_METHODS and not call.args


def import_statement(node: ast.Import | ast.ImportFrom, alias: ast.alias) -> str:
    asname = f" as {alias.asname}" if alias.asname else ""
    if isinstance(node, ast.Import):
        return f"import {alias.name}{asname}"
    module = "." * node.level + (node.module or "")
    return f"from {module} import {alias.name}{asname}"


_INTERPOLATION = re.compile(r"\{([A-Za-z_]\w*)[^}]*\}|\$([A-Za-z_]\w*)")


def interpolated_names(text: str) -> list[str]:
    """Names IPython substitutes into `!cmd {var}` / `!cmd $var`."""
    return [a or b for a, b in _INTERPOLATION.findall(text)]


# pathlib methods whose receiver is the path they read or write
_PATH_METHODS = frozenset({"write_text", "write_bytes", "read_text", "read_bytes", "mkdir", "touch",
                           "open"})


def call_site(node: ast.Call, line: int) -> CallSite | None:
    """The call as the file detector sees it (artifacts.py), or None when it names nothing."""
    func = node.func
    if not isinstance(func, (ast.Name, ast.Attribute)):
        return None
    receiver = None
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call):
        inner = dotted(func.value.func)
        if inner.split(".")[-1] in ("Path", "PurePath", "open"):
            receiver = path_expr(func.value.args[0]) if func.value.args else None
    elif isinstance(func, ast.Attribute) and func.attr in _PATH_METHODS:
        receiver = path_expr(func.value)  # (out / "x.txt").write_text(...), p.read_text()
    return CallSite(
        func=".".join(dotted(func).split(".")[-2:]),
        args=tuple(path_expr(a) for a in node.args),
        kwargs=tuple((k.arg or "", path_expr(k.value)) for k in node.keywords),
        line=line,
        receiver_path=receiver,
    )


def body_calls(node: ast.AST, free: frozenset[str], seeding: frozenset[str]
               ) -> tuple[tuple[CallSite, ...], tuple[str, ...]]:
    """What calling a function does besides its reads and writes of names: the files it
    reads or writes by a path built only from constants and globals (`free`), and the calls
    that may seed a global random generator (by dotted name)."""
    sites: list[CallSite] = []
    seeds: list[str] = []
    for n in ast.walk(node):
        if not isinstance(n, ast.Call):
            continue
        name = dotted(n.func)
        if name.rsplit(".", 1)[-1] in seeding and "(" not in name:
            seeds.append(name)
        site = call_site(n, 0)
        if site is None:
            continue
        exprs = list(site.args) + [v for _, v in site.kwargs] + [site.receiver_path]
        if all(e is None or all(k == "s" or v in free for k, v in e.parts) for e in exprs):
            sites.append(site)
    return tuple(sites), tuple(dict.fromkeys(seeds))
