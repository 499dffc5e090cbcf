"""The fold's handling of the notebook's own modules (`helpers.py` beside the notebook, or one
written by `%%writefile`): unlike a library, importing one runs the notebook's code, so

- the module file is a dependency of each stage that imports it, and orders a stage that
  writes it (`%%writefile`) first;
- what its import does (settings) holds for the rest of the notebook: every later stage
  imports it again at its start, like a setting;
- its own globals (a registry its functions fill) are state that lives in the process: each
  stage that uses the module starts from the state the previous user left and hands its own
  on, under the name "@module:NAME" (runtime.handoff's module_state reads it);
- `from module import *` binds the names the module's source defines at its top level (or its
  `__all__`), each as an import of that statement, so that all of the above holds for them."""

from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass
from typing import Iterable, Iterator

from .bindings import Binding
from .facts import CellFacts, Star
from .fold_state import FoldState, MadeAgain

MODULE_STATE_PREFIX = "@module:"


def imported_module(statement: str) -> str:
    """The top-level module an import statement imports ("" for a relative import)."""
    words = statement.split()
    if len(words) < 2 or words[1].startswith("."):
        return ""
    return words[1].split(".", 1)[0]


# `%%writefile helpers.py`: the cell's body is the module's source; with `-a` (`--append`) it
# is added to what is there.
_WRITEFILE = re.compile(
    r"\A%%writefile[ \t]+(?:(-a|--append)[ \t]+)?([A-Za-z_]\w*)\.py[ \t]*\n")


def written_modules(facts: Iterable[CellFacts]) -> Iterator[tuple[str, str]]:
    """(module, file) of each module a cell writes (`%%writefile name.py`, `open('name.py', 'w')`)
    beside the notebook."""
    for cell_facts in facts:
        for written, _ in cell_facts.writes_files:
            path = written.parts[0][1] if written.parts else ""
            if path.endswith(".py") and "/" not in path and path[:-3].isidentifier():
                yield path[:-3], path


def cell_written_sources(cell_sources: Iterable[str]) -> dict[str, str]:
    """{module: source} of the modules `%%writefile name.py` cells write, in the notebook's
    order: a cell with `-a` adds its body to the module's source so far."""
    sources: dict[str, str] = {}
    for cell_source in cell_sources:
        found = _WRITEFILE.match(cell_source)
        if found is None:
            continue
        append, module = found.group(1), found.group(2)
        body = cell_source[found.end():]
        if not body.endswith("\n"):  # IPython ends the cell with one before it runs it
            body += "\n"
        sources[module] = (sources.get(module, "") if append else "") + body
    return sources


@dataclass(frozen=True)
class StarNames:
    """What `from module import *` binds, read from the module's source."""

    names: tuple[str, ...]  # the names its own top level binds (or its `__all__`)
    stars: tuple[str, ...] = ()  # the modules it star-imports itself: their names come too


@functools.lru_cache(maxsize=64)
def star_names(source: str) -> StarNames | None:
    """The names `from module import *` binds, read from the module's source without running
    it: its `__all__` when that is a literal list or tuple of strings, else the public names its
    top level binds (also inside if / try / with / for), and the modules it star-imports in
    turn. None when they cannot be known: the source does not parse or `__all__` is computed."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    names: dict[str, None] = {}
    stars: dict[str, None] = {}
    declared: list[str] | None = None
    for node in _top_level(tree.body):
        if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
            stars["." * node.level + (node.module or "")] = None
            continue
        targets = _bound(node)
        if "__all__" in targets:
            value = getattr(node, "value", None)
            if not isinstance(node, ast.Assign) or not isinstance(value, (ast.List, ast.Tuple)) \
                    or not all(isinstance(e, ast.Constant) and isinstance(e.value, str)
                               for e in value.elts):
                return None
            declared = [e.value for e in value.elts]  # type: ignore[attr-defined]
        for name in targets:
            names[name] = None
    if declared is not None:  # `__all__` says it all, star imports included
        return StarNames(tuple(dict.fromkeys(declared)))
    return StarNames(tuple(n for n in names if not n.startswith("_")), tuple(stars))


def _top_level(body: list[ast.stmt]):
    """The statements that run at import, compound statements' bodies included."""
    for node in body:
        yield node
        if isinstance(node, (ast.If, ast.For, ast.While, ast.With, ast.Try, ast.TryStar)):
            for part in ("body", "orelse", "finalbody"):
                yield from _top_level(getattr(node, part, []))
            for handler in getattr(node, "handlers", []):
                yield from _top_level(handler.body)


def _bound(node: ast.stmt) -> list[str]:
    """The module-level names one statement binds."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return [a.asname or a.name.split(".")[0] for a in node.names]
    targets: list[ast.AST] = []
    if isinstance(node, ast.Assign):
        targets = list(node.targets)
    elif isinstance(node, ast.AugAssign) or (isinstance(node, ast.AnnAssign)
                                             and node.value is not None):
        targets = [node.target]
    elif isinstance(node, (ast.For, ast.AsyncFor)):
        targets = [node.target]
    elif isinstance(node, (ast.With, ast.AsyncWith)):
        targets = [i.optional_vars for i in node.items if i.optional_vars is not None]
    return [n.id for t in targets for n in ast.walk(t)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)]


class OwnModules(FoldState):
    """Part of flows._Fold: imports and uses of the notebook's own modules."""

    def own_module(self, statement: str | None) -> str:
        module = imported_module(statement or "")
        return module if module in self.local_modules else ""

    def imported(self, statement: str, line: int) -> None:
        """An import of the notebook's own module: a dependency here, made again later."""
        module = self.own_module(statement)
        if not module:
            return
        paths = tuple(self.local_modules[m] for m in (module, *self.module_stars.get(module, ())))
        for path in paths:  # a module it star-imports runs on its import too
            self.file_read(path, self.cell)
        self.module_files[statement] = paths
        self.settings.append(MadeAgain(statement))
        self.module_used(module, line)

    def star_imported(self, star: Star) -> bool:
        """`from helpers import *` of the notebook's own module: each name it binds (its own,
        and those of the notebook's modules it star-imports in turn) is bound as an import of
        that statement, and the modules are dependencies whose state crosses stages. False when
        some names stay unknown (it star-imports a library, or a source cannot be read): the
        star import is then also made again in every later stage, for those names."""
        if star.module not in self.local_modules:
            return False
        names, modules, complete = self.star_closure(star.module)
        for name in names:
            self.rebind(name, star.line, Binding("import", self.flow.name, self.cell, star.line,
                                                  statement=star.statement))
            self.local.add(name)
        self.module_stars[star.module] = tuple(m for m in modules if m != star.module)
        self.imported(star.statement, star.line)
        return complete

    def star_closure(self, module: str) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
        """The names `from module import *` binds, the notebook's modules they come from
        (module first), and whether those names are all known."""
        names: dict[str, None] = {}
        modules: dict[str, None] = {}
        complete = True
        pending = [module]
        while pending:
            current = pending.pop(0)
            if current in modules:
                continue
            modules[current] = None
            source = self.module_sources.get(current)
            found = star_names(source) if source else None
            if found is None:
                complete = False
                continue
            names.update(dict.fromkeys(found.names))
            for inner in found.stars:
                if inner in self.local_modules:
                    pending.append(inner)
                else:  # a library's (or a relative) star import: its names are not known
                    complete = False
        return tuple(names), tuple(modules), complete

    def module_used(self, module: str, line: int) -> None:
        """The stage uses the module (calls into it, reads its values): it continues from the
        module state the last stage that used it left, and hands its own on."""
        state = MODULE_STATE_PREFIX + module
        if state in self.flow.writes:
            return
        if state in self.env:
            self.read(state, line, quiet=True)
        self.write(state, line, Binding("value", self.flow.name, self.cell, line))
        for inner in self.module_stars.get(module, ()):  # its functions use their globals
            self.module_used(inner, line)

    def import_used(self, binding: Binding, line: int) -> None:
        """A read of a name an import bound: a use of the module when it is the notebook's."""
        module = self.own_module(binding.statement)
        if module:
            self.module_used(module, line)

    def replay_module_files(self) -> None:
        """Later stages import the modules again at their start: each depends on the file."""
        for statement, paths in self.module_files.items():
            if statement in self.flow.settings:
                for path in paths:
                    self.file_read(path, self.cell)
