"""What the analysis knows about one code cell: an ordered list of effects on the notebook's
global namespace, the calls that may read or write files, and the problems found.

Each code cell is analysed alone (so results are cached by source); analysis/flows.py folds the
effects of a stage's cells in order. An effect is one small record per kind (the `Effect`
union); they are built for every name in every cell, so they are slotted and frozen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias


@dataclass(frozen=True, slots=True)
class Read:
    """The cell reads the name's current value. `soft`: IPython interpolates it into a command
    only if it exists (`!ls {d}`), so not having it is no error."""

    name: str
    line: int
    soft: bool = False


@dataclass(frozen=True, slots=True)
class Contents:
    """What a value may hold (held_objects.contents): the names whose objects it may hold or
    be, the names it takes a part of (an attribute, a method's result), the names it calls."""

    holds: frozenset[str] = frozenset()
    parts: frozenset[str] = frozenset()
    makers: frozenset[str] = frozenset()


NOTHING_HELD = Contents()


@dataclass(frozen=True, slots=True)
class Bind:
    """The cell binds the name to a new object."""

    name: str
    line: int
    definite: bool  # False inside a branch or loop: the old value may survive
    literal: str | None = None  # the string constant it is bound to, for file paths
    immutable: bool = False  # bound to a constant: nothing can change or share it
    branch_definition: bool = False  # a def / class inside a branch, bound like a value
    figure: bool = False  # bound to a figure or axes (knowledge.FIGURE_CALLS)
    # bound to a path built from constants and names (`os.path.join("res", name)`,
    # `Path("out")`, `base + ".csv"`): the fold resolves it into `literal` where it can
    literal_path: PathExpr | None = None
    # why the value cannot be saved for a later stage ("a generator", ...), or ""
    cannot_cross: str = ""
    made_by: str = ""  # the notebook function whose call made the value: `f3 = make(3)`
    # made with `copy=False` (`scaler = StandardScaler(copy=False)`): its methods may change
    # what they are given
    no_copy: bool = False
    # The value as an expression of attributes and calls on one name with literal arguments
    # (`log = logging.getLogger("nb")`, `ctx = decimal.getcontext()`): where that name is a
    # module, a setting made through the variable is made again through the expression.
    handle: str = ""
    handle_reads: frozenset[str] = frozenset()
    contents: Contents = NOTHING_HELD
    # The value as Python source when it is a literal (`params = {"figure.figsize": (30, 10)}`):
    # a setting made from the name is made again in later stages with the literal in its place.
    literal_source: str = ""


@dataclass(frozen=True, slots=True)
class Store:
    """The object under the name is given `contents` to hold: `holder.cache = c`,
    `d[k] = Cache()`, `caches.append(c)`."""

    name: str
    line: int
    contents: Contents


@dataclass(frozen=True, slots=True)
class CallArgument:
    """Passed to a call of a plain name: `callee(x)` (position) or `callee(k=x)` (keyword)."""

    callee: str
    position: int  # -1 for a keyword argument
    keyword: str | None = None


@dataclass(frozen=True, slots=True)
class MethodArgument:
    """Passed to a method: `receiver.method(x)`; receiver is the root name, if any, and
    `callee` the dotted name called (`np.add.at`), "" when it is not one (`f().g(x)`)."""

    receiver: str | None
    method: str | None
    callee: str = ""


@dataclass(frozen=True, slots=True)
class Drawing:
    """The name is the receiver of a method that changes a figure or axes but only reads a
    table (`ax.plot(...)` draws, `df.plot()` does not change df): a change if it is a figure."""

    method: str


@dataclass(frozen=True, slots=True)
class Callback:
    """A bound method of the name is passed to a call (`s.apply(seen.append)`), which may call
    it: a change to the value, not to a function or class (`f(Config.sizes)` is data)."""

    method: str


# Why a name may change only conditionally: a call changes its argument, or it is a figure.
Via: TypeAlias = CallArgument | MethodArgument | Drawing | Callback


@dataclass(frozen=True, slots=True)
class Mutate:
    """The object under the name may change in place. `via`: the call it is passed to as an
    argument (whether that call changes it, only the fold knows), or None: it does change."""

    name: str
    line: int
    via: Via | None = None
    # The container itself changes, not the objects it holds: `b.append(x)`, `b[k] = v`,
    # `del b[k]` on the bare name. What shares only b's elements is left alone.
    shallow: bool = False


@dataclass(frozen=True, slots=True)
class Delete:
    """`del name`."""

    name: str
    line: int


@dataclass(frozen=True, slots=True)
class Alias:
    """The name's new value may share objects with `roots`."""

    name: str
    line: int
    roots: frozenset[str]
    # A new container holding the same elements (`b = list(a)`, `sorted(a)`, `dict(a)`): a
    # change to an element through one is seen through the other; appending to one is not.
    elements: bool = False


@dataclass(frozen=True, slots=True)
class Define:
    """A top-level def / class / `f = lambda ...`: re-emitted from source where it is used."""

    name: str
    line: int
    definition: "Definition"


@dataclass(frozen=True, slots=True)
class Import:
    """A top-level import binding `name`; re-emitted in each stage that uses it."""

    name: str
    line: int
    statement: str


@dataclass(frozen=True, slots=True)
class Dynamic:
    """globals() / exec / eval...: code that may read or change any variable."""

    what: str  # "globals()", "exec()"...
    line: int


@dataclass(frozen=True, slots=True)
class Star:
    """`from module import *`."""

    module: str
    line: int
    statement: str


@dataclass(frozen=True, slots=True)
class Seed:
    """A call such as `np.random.seed(0)` that may set a module's hidden state (the fold
    resolves the module through the imports)."""

    name: str  # the call's dotted name
    line: int


@dataclass(frozen=True, slots=True)
class Setting:
    """A top-level call or assignment on a dotted name (`pd.set_option(...)`,
    `plt.rcParams[k] = v`) that may configure a library (knowledge.SETTINGS says which)."""

    name: str  # the dotted name
    line: int
    source: str  # the statement, to run again in later stages
    reads: frozenset[str]  # the names it reads
    # "call" (`pd.set_option(...)`), "assign" (`json.K = 2`, `os.environ[k] = v`), "magic"
    # (`%env`, `%matplotlib`: the name is the magic's, e.g. "%env"), or "branch": one of these
    # inside an if / for / try, which cannot be made again as it stands ("branch-assign": an
    # assignment there), or "compound": an if /
    # for / try made of settings alone (`if not sys.warnoptions: warnings.simplefilter(...)`),
    # made again whole; `inner` are its settings
    kind: str = "call"
    inner: tuple["Setting", ...] = ()
    binds: frozenset[str] = frozenset()  # a compound's: its loop variable, `except ... as e`


Effect: TypeAlias = (Read | Bind | Mutate | Delete | Alias | Define | Import | Dynamic | Star
                     | Seed | Setting | Store)

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
    # Library decorators that register it for the whole process (`@pd.api.extensions.
    # register_dataframe_accessor("geo")`): every later stage must define it again.
    registered_by: tuple[str, ...] = ()
    # Why calls change it ("its default argument 'acc' is changed by its body", "it is
    # cached by @lru_cache"), or "" when it keeps no state between calls.
    keeps_state: str = ""
    returns_closure: bool = False  # returns a lambda or a function defined in its body
    # Globals a call changes by the function's own body, not by functions it defines and
    # returns: what it changes when used as a decorator.
    immediate_changes: frozenset[str] = frozenset()
    # Calling it: the files it reads or writes by literal path, and the global random
    # generators it may seed (dotted names, resolved where it is called).
    calls: tuple["CallSite", ...] = ()
    seeds: tuple[str, ...] = ()
    # `mod.func(x)` calls in its body on a parameter or a global x: (callee, x); the fold
    # decides from the imports whether the callee may change x (scopes.ScopeSummary).
    module_calls: tuple[tuple[str, str], ...] = ()
    # Library settings its body makes (at the body's top level): they hold after the call, so
    # the fold treats a call as making them (reads of the function's locals: not made again).
    settings: tuple["Setting", ...] = ()
    local_names: frozenset[str] = frozenset()  # parameters and names the body binds
    # Globals and parameters it calls `plot` / `hist` on: changed when they are axes.
    drawn: frozenset[str] = frozenset()
    drawn_params: frozenset[str] = frozenset()
    # A class's own `__getstate__` / `__reduce__` / `__reduce_ex__` (the first found), or "":
    # pickling its instances saves what that method says, which may leave state out.
    pickling: str = ""
    # `eval` / `exec` / `globals()` in its body: a call may read or change any variable.
    dynamic: str = ""
    # Files its body reads or writes by a path built from its parameters (`def save_fig(name):
    # open(f"{name}.txt", "w")`): where it is called, the arguments fill the path in.
    param_calls: tuple["CallSite", ...] = ()


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
    conditional: bool = False  # under an if / while / try: it may not run


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
    effects: tuple[Effect, ...] = ()
    calls: tuple[CallSite, ...] = ()
    writes_files: tuple[tuple[PathExpr, int], ...] = ()  # %%writefile
    problems: tuple[Problem, ...] = ()
    uses_ipython: bool = False
    # Names the cell assigns at top level or shows (a bare `acc`, `acc, f1`, `print(acc)`):
    # what a `metrics` cell names.
    named: tuple[str, ...] = ()
    # The last statement is an expression: IPython keeps its value as `_` for the next cell.
    shows_result: bool = False

    @property
    def parsed(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)


