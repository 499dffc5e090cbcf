"""What the analysis knows about one code cell: an ordered list of effects on the notebook's
global namespace, the calls that may read or write files, and the problems found.

Each code cell is analysed alone (so results are cached by source); analysis/flows.py folds the
effects of a stage's cells in order. Effects are small tuples, cheap to build for 500 cells:

    (READ, name, line)                     the cell reads the name's current value
    (BIND, name, line, definite, literal, immutable[, True])
                                           binds it; `definite` False inside a branch or loop;
                                           `literal` is a str constant when bound to one;
                                           `immutable` when bound to a constant (no object
                                           that could be changed in place or shared);
                                           a seventh item True: a def / class in a branch
    (MUTATE, name, line, via)              may change the object in place; `via` is None, or
                                           for an argument the call it is passed to:
                                           ("call", callee, position, keyword) or
                                           ("method", receiver_root, method)
    (DELETE, name, line)                   `del name`
    (ALIAS, name, line, roots)             the new value may share objects with `roots`
    (DEFINE, name, line, Definition)       top-level def / class / `f = lambda ...`
    (IMPORT, name, line, statement)        top-level import; re-emitted where used
    (DYNAMIC, what, line)                  globals() / exec / eval: cannot be analysed
    (STAR, module, line, statement)        `from m import *`
    (SETTING, dotted, line, source, reads)  a top-level call or assignment on a dotted name
                                           (`pd.set_option(...)`, `plt.rcParams[k] = v`) that
                                           may configure a library; `reads`: names it reads
    (SEED, dotted, line)                   a call such as `np.random.seed(0)` that may set a
                                           module's hidden state (the fold resolves the module)
"""

from __future__ import annotations

from dataclasses import dataclass

READ, BIND, MUTATE, DELETE, ALIAS, DEFINE, IMPORT, DYNAMIC, STAR, SEED, SETTING = range(11)

@dataclass(frozen=True)
class Definition:
    """A function or class the notebook defines; re-emitted from source where it is used."""

    name: str
    kind: str  # "function", "class" or "lambda"
    source: str
    line: int
    reads: frozenset[str]  # globals read when called (methods, for a class)
    binds: frozenset[str]  # globals it assigns through `global`
    mutates: frozenset[str]  # globals it may change in place
    def_reads: frozenset[str]  # read when the definition runs: decorators, defaults, bases
    params: tuple[str, ...] = ()  # positional parameters, to match call arguments
    mutated_params: frozenset[str] = frozenset()  # parameters it may change in place
    # Running the definition again re-runs its decorators: the notebook functions they call
    # (`@register`), and the names whose objects a method decorator changes (`@reg.append`).
    decorators: tuple[str, ...] = ()
    decorator_changes: frozenset[str] = frozenset()
    # Globals a call changes by the function's own body, not by functions it defines and
    # returns: what it changes when used as a decorator.
    immediate_changes: frozenset[str] = frozenset()
    # Calling it: the files it reads or writes by literal path, and the global random
    # generators it may seed (dotted names, resolved where it is called).
    calls: tuple["CallSite", ...] = ()
    seeds: tuple[str, ...] = ()


@dataclass(frozen=True)
class PathExpr:
    """A file path argument as far as it is literal: parts are ("s", text) or ("n", name)."""

    parts: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class CallSite:
    """A call the artifact detector may recognise as a file read or write."""

    func: str  # "read_csv", "open", "np.save", ... (the last two dotted components at most)
    args: tuple[PathExpr | None, ...]
    kwargs: tuple[tuple[str, PathExpr | None], ...]
    line: int
    receiver_path: PathExpr | None = None  # Path("x").write_text(...)


@dataclass(frozen=True)
class Problem:
    code: str
    severity: str  # "error" | "warning"
    message: str
    line: int | None = None
    column: int | None = None
    excerpt: str | None = None


@dataclass(frozen=True)
class CellFacts:
    effects: tuple[tuple, ...] = ()
    calls: tuple[CallSite, ...] = ()
    writes_files: tuple[tuple[PathExpr, int], ...] = ()  # %%writefile
    problems: tuple[Problem, ...] = ()
    uses_ipython: bool = False
    # Names the cell assigns at top level or shows (a bare `acc`, `acc, f1`, `print(acc)`):
    # what a `metrics` cell names.
    named: tuple[str, ...] = ()

    @property
    def parsed(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)


