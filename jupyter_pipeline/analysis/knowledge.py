"""What the analysis knows about calls it cannot look inside: library settings, seeding calls,
calls and methods known to leave their arguments or receiver alone, and calls whose results share
objects with their arguments. One place, so that adding a library means editing one module.

The rule behind every table: a missing edge gives a later stage stale data, an extra one only
costs time. So the tables list what is known to be harmless; anything else may change what it
is given.
"""

from __future__ import annotations

import sys

# -- process-wide state --------------------------------------------------------------------

# Hidden module state that calls change: the global random generators. Once a notebook seeds
# one, every later draw depends on every earlier one, so the state is handed between stages
# like a variable, under a name no variable can have ("@" + module; model.pipeline's
# is_module_state and the runtime's module_state read that name).
SEEDING_CALLS = {
    "numpy.random.seed": "@numpy.random",
    "numpy.random.set_state": "@numpy.random",
    "random.seed": "@random",
    "random.setstate": "@random",
}

# Last names of calls that may seed a module's hidden random state (SEEDING_CALLS says which
# modules; the fold resolves `np.random.seed` through the notebook's imports).
SEEDING_FUNCTIONS = frozenset(call.rsplit(".", 1)[-1] for call in SEEDING_CALLS)

# Calls and assignments that configure a library for the whole process (display options,
# warning filters, plot style, the import path): a later stage would run without them, so
# they run again at the start of every later stage. Only these: they are safe to repeat.
# A statement matches an entry when its dotted name (through the notebook's imports) is the
# entry or starts with it and a dot.
SETTINGS = (
    "pandas.set_option", "pandas.reset_option", "pandas.options",
    "numpy.set_printoptions", "numpy.seterr",
    "warnings.filterwarnings", "warnings.simplefilter", "warnings.resetwarnings",
    "matplotlib.rcParams", "matplotlib.rc", "matplotlib.style.use",
    "matplotlib.pyplot.rcParams", "matplotlib.pyplot.rc", "matplotlib.pyplot.style.use",
    "seaborn.set", "seaborn.set_theme", "seaborn.set_style", "seaborn.set_context",
    "seaborn.set_palette",
    "sys.path.append", "sys.path.insert",
    "logging.basicConfig", "logging.disable", "logging.getLogger.setLevel",
    "logging.root.setLevel", "logging.captureWarnings",
    # process-wide state outside any library
    "os.environ", "os.putenv", "os.unsetenv", "os.chdir", "sys.setrecursionlimit",
    "decimal.getcontext", "decimal.setcontext",
    "sklearn.set_config", "matplotlib.use", "matplotlib.pyplot.switch_backend",
    "numpy.set_string_function", "pandas.set_eng_float_format",
    "socket.setdefaulttimeout", "locale.setlocale", "sys.set_int_max_str_digits",
    "matplotlib.pyplot.ioff", "matplotlib.pyplot.ion", "matplotlib.interactive",
    "matplotlib.rcdefaults", "matplotlib.pyplot.rcdefaults", "matplotlib.pyplot.xkcd",
    # registrations: `tqdm.pandas()` gives every Series and DataFrame `progress_apply`
    "tqdm.tqdm.pandas", "tqdm.auto.tqdm.pandas", "tqdm.notebook.tqdm.pandas",
    "tqdm.std.tqdm.pandas",
)

# Calls that reach any variable: the flow through them cannot be analysed.
DYNAMIC_CALLS = frozenset({"globals", "locals", "vars", "exec", "eval"})

# -- calls and their arguments -------------------------------------------------------------

# Builtins that read their arguments and never change them: passing a name to these is a read.
# Not `next`: it advances the iterator passed to it, and the next stage must see that.
PURE_CALLS = frozenset(
    """print len str repr int float bool complex isinstance issubclass type sorted list tuple set
    frozenset dict sum min max round abs enumerate zip range display id hash format any all iter
    hasattr callable divmod pow reversed map filter ord chr bin hex oct ascii bytes bytearray
    slice super object property staticmethod classmethod""".split()
)

# Of those, the ones that call a function they are given (`sorted(xs, key=obj.rank)`).
CALLBACK_BUILTINS = frozenset("sorted min max map filter iter".split())

# Methods that leave their receiver unchanged (unless called with inplace=True). Everything
# else called on a name may mutate it: a missing edge is worse than an extra one.
READ_ONLY_METHODS = frozenset(
    """head tail describe info copy sum mean median mode std var sem min max count nunique unique
    value_counts isna isnull notna notnull any all groupby agg aggregate astype to_numpy to_list
    tolist to_dict to_csv to_parquet to_json to_excel to_pickle to_feather to_string to_markdown
    to_frame to_records plot hist boxplot corr cov round abs get keys values items find index
    startswith endswith upper lower strip lstrip rstrip split rsplit join format encode decode
    predict predict_proba predict_log_proba score decision_function reshape flatten ravel dot
    query filter merge drop dropna fillna sort_values sort_index reset_index rename set_index
    select_dtypes sample iterrows itertuples memory_usage equals isin between cumsum cumprod
    diff pct_change shift rolling expanding resample pivot pivot_table melt stack unstack
    nlargest nsmallest idxmax idxmin argmax argmin argsort quantile clip where mask duplicated
    drop_duplicates interpolate replace get_params get_feature_names_out transpose squeeze
    explode assign eval nsmallest isdigit isalpha isalnum zfill title capitalize casefold
    partition rpartition splitlines count tobytes item getvalue savefig show
    """.split()
)

# Libraries whose functions read their arguments, except the LIBRARY_MUTATES_ARGUMENTS below
# and calls with `out=` or `copy=False` (ARGUMENT_CHANGING_KEYWORDS). A function from any other
# module (the notebook's own `helpers.py`, a package nb2pipe does not know) may change every
# argument: nb2pipe cannot see its body.
KNOWN_LIBRARIES = frozenset(sys.stdlib_module_names) | frozenset(
    """numpy pandas scipy sklearn matplotlib seaborn statsmodels plotly bokeh altair
    xgboost lightgbm catboost joblib tqdm requests PIL imageio skimage nltk spacy gensim
    networkx sympy pyarrow polars IPython ipywidgets yaml toml tabulate wordcloud missingno
    shap optuna mlflow dvc papermill""".split()
)

# Functions and methods of known libraries that change an argument in place (in place by
# name: shuffling, heaps, `np.copyto(dst, src)`, ufunc `np.add.at(a, idx, v)`).
LIBRARY_MUTATES_ARGUMENTS = frozenset(
    """shuffle copyto put place putmask fill_diagonal dump heappush heappop heapify heapreplace
    heappushpop insort insort_left insort_right seed put_along_axis at
    setitem delitem iadd isub imul imatmul itruediv ifloordiv imod ipow ilshift irshift iand
    ior ixor iconcat""".split()
)

# Keywords by which a call writes into what it is given: `np.add(a, b, out=a)` changes the
# `out` argument, `scale(X, copy=False)` / `transform(X, copy=False)` may change X in place.
# `df.plot(ax=ax)`, `sns.histplot(df, ax=ax)` draw on the axes they are given.
OUT_KEYWORDS = frozenset({"out", "ax"})
NO_COPY_KEYWORDS = frozenset({"copy"})  # with the value False

# Methods (on a value) that do not change the arguments passed to them: estimators and plots.
ARGUMENT_SAFE_METHODS = READ_ONLY_METHODS | frozenset(
    """fit fit_transform transform inverse_transform partial_fit fit_predict fit_resample plot
    scatter bar barh hist imshow pie set_title set_xlabel set_ylabel set_xticks set_yticks
    set_xticklabels set_yticklabels legend text annotate errorbar fill_between axhline axvline
    add isin merge join apply map applymap append extend insert update setdefault write
    writerow writerows add_trace""".split()
)

# Attributes that are data, not methods: passing `df.index` or `model.coef_` hands over a
# value; passing any other attribute (`seen.append`, `model.fit`) hands over a bound method
# the callee may call, changing its receiver. Names ending in "_" (scikit-learn's fitted
# attributes) are data too.
DATA_ATTRIBUTES = frozenset(
    """index columns values shape dtype dtypes T size ndim loc iloc at iat str dt cat name names
    flags attrs data target feature_names target_names DESCR real imag empty axes figure
    array codes categories levels nbytes itemsize strides base start stop step year month day
    hour minute second""".split()
)

# -- values that cannot cross ----------------------------------------------------------------

# Calls whose result pickle refuses: (module, name) with "" for any module (a name nobody else
# uses) -> what it is, for the message. A value made this way is refused at convert where a
# later stage would load it, instead of failing in the save cell at run time.
UNSAVEABLE_MAKERS: dict[tuple[str, str], str] = {
    **{("", n): "an open file or connection" for n in ("open", "connect", "socket",
                                                      "urlopen")},
    **{("", n): "a weak reference" for n in ("WeakValueDictionary", "WeakKeyDictionary",
                                             "WeakSet", "WeakMethod")},
    ("weakref", "ref"): "a weak reference", ("weakref", "proxy"): "a weak reference",
    ("weakref", "finalize"): "a weak reference",
    **{("threading", n): "a lock or a thread" for n in ("Lock", "RLock", "Semaphore",
                                                        "BoundedSemaphore", "Condition",
                                                        "Thread", "Event", "Timer")},
    **{("", n): "a lock or a thread" for n in ("RLock", "ThreadPoolExecutor",
                                               "ProcessPoolExecutor")},
    ("queue", "Queue"): "a lock or a thread",
    ("multiprocessing", "Pool"): "a pool of processes",
    ("subprocess", "Popen"): "a running process",
    **{("", n): "an open file or connection" for n in ("ZipFile", "TemporaryFile",
                                                      "NamedTemporaryFile",
                                                      "SpooledTemporaryFile",
                                                      "FileHandler", "RotatingFileHandler")},
    ("csv", "writer"): "a writer of an open file", ("csv", "reader"): "a reader of an open file",
    ("csv", "DictWriter"): "a writer of an open file",
    ("csv", "DictReader"): "a reader of an open file",
    ("", "memoryview"): "a memoryview", ("", "ExitStack"): "an exit stack",
    ("contextlib", "ExitStack"): "an exit stack",
}
# (A dict's views cross: runtime/exact_pickle.py saves one as a view of its dict's copy.)
# Builtins whose result holds the iterator they are given: `iter(open(p))` is an open file.
WRAPPING_BUILTINS = frozenset("iter enumerate zip map filter reversed".split())

# -- sharing ---------------------------------------------------------------------------------

# Methods that store their arguments inside the receiver: later changes through one show in
# the other.
STORING_METHODS = frozenset("append extend insert add update setdefault appendleft".split())

# Calls whose elements are the very objects in their arguments (or receiver): `for k, m in
# models.items(): m.fit(...)` changes the models inside `models`.
SHARING_BUILTINS = frozenset("zip enumerate reversed sorted list tuple set frozenset iter "
                             "filter".split())
SHARING_METHODS = frozenset("items values".split())

# Builtins whose result is (or holds) objects they were given: `best = max(rows, key=...)`,
# `first = next(iter(rows))`, `ordered = sorted(rows)`; a change through the result is a change
# to what they were given. Their keyword arguments are functions (`key=`) except `default=`.
SELECTING_BUILTINS = frozenset("max min next iter reversed filter zip enumerate".split())
# Builtins that build a new container of the objects they were given: the container is a copy
# (appending to it changes nothing else), an element taken from it is not (`sorted(rows)[0]`).
CONTAINER_BUILTINS = frozenset("sorted list tuple set frozenset dict".split())
SELECTING_KEYWORDS = frozenset({"default"})

# Methods whose result is part of the object they are called on: `row = table.get(k)`,
# `ax = fig.add_subplot()`, `ax2 = ax.twinx()`.
PART_METHODS = frozenset("get pop popitem setdefault add_subplot add_axes add_gridspec gca "
                         "twinx twiny get_figure get_axes subfigures".split()) | frozenset(
    # numpy views: `b = a.reshape(2, 2)` writes into `a`'s memory (pandas' `to_numpy()` too)
    "reshape view ravel transpose swapaxes squeeze diagonal to_numpy "
    # dict views: `k = d.keys()` shows what is added to `d` later
    "keys values items".split())
# numpy functions whose result may be a view of their first argument (`b = np.asarray(a)`),
# or a list of views of it (`parts = np.split(a, 2)`).
VIEW_FUNCTIONS = frozenset(
    "asarray asanyarray ascontiguousarray asfortranarray reshape ravel transpose swapaxes "
    "moveaxis rollaxis squeeze expand_dims atleast_1d atleast_2d atleast_3d broadcast_to "
    "real imag diagonal sliding_window_view as_strided split array_split hsplit vsplit dsplit "
    "frombuffer".split())

# Calls that make a figure or axes (`fig, axes = plt.subplots()`, `ax = fig.add_subplot()`):
# a name bound to their result is drawn on by methods that only read a table (`plot`, `hist`),
# so on such a name those change it.
FIGURE_CALLS = frozenset("subplots figure add_subplot subplot axes gca gcf add_axes twinx twiny "
                         "subfigures subplot_mosaic".split())
DRAWING_METHODS = frozenset("plot hist boxplot".split())

# Factories that keep the objects they are given (scikit-learn's pipeline helpers); and any
# class (a capitalised name: `Pipeline([...])`, `Bag(items)`) may keep its arguments as
# attributes, so fitting the pipeline later fits the scaler passed to it.
KEEPING_FACTORIES = frozenset("make_pipeline make_union make_column_transformer".split())

# Methods that change a container itself (which elements it holds), not the elements: through
# a new container of the same elements (`b = list(a)`) they leave `a` as it was.
CONTAINER_METHODS = frozenset(
    "append extend insert remove pop clear sort reverse update setdefault add discard popitem"
    .split())
