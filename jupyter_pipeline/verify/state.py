"""The process state a stage starts with, as source for probe cells (run in the notebook's kernel,
any library versions), and the pure comparison of two such snapshots.

The whole run records, after each of the notebook's cells, which state keys that cell changed
(an IPython post_run_cell hook) and, at each stage boundary, a snapshot; each pipeline stage
takes a snapshot right after its load cell. Only keys a notebook cell changed are compared, so
what differs because kernels start differently (their environment, ipykernel's own settings) is
never reported: each difference names the cell that made the setting."""

from __future__ import annotations

import hashlib
import json
from typing import Any, Mapping

from ..model.diagnostics import cell_name
from .compare import Paths

# Python source: defines _nb2pipe_state() -> {key: repr}. Reads only modules already imported:
# importing one would change what the notebook computes (scikit-learn draws from `random`).
SNAPSHOT = r'''
def _nb2pipe_state():
    import decimal, os, sys
    found = {"os.getcwd()": os.getcwd(), "sys.getrecursionlimit()": sys.getrecursionlimit(),
             "decimal.getcontext()": repr(decimal.getcontext())}
    for k, v in os.environ.items():
        if not k.startswith(("JPY_", "DVC_", "PYDEVD", "KERNEL_", "_")):
            found[f"os.environ[{k!r}]"] = v
    m = sys.modules
    try:
        if "pandas" in m:
            pd = m["pandas"]
            config = pd._config.config
            # Deprecated options warn when read (and a warning filter would change which
            # warnings the notebook shows): left out.
            for k in sorted(set(config._registered_options) - set(config._deprecated_options)):
                try:
                    found[f"pandas option {k!r}"] = repr(pd.get_option(k))
                except Exception:
                    pass
            for cls in (pd.DataFrame, pd.Series, pd.Index):
                found[f"pandas {cls.__name__} accessors"] = repr(sorted(cls._accessors))
        if "matplotlib" in m:
            mpl = m["matplotlib"]
            # As stored (reading some keys warns). The backend and the interactive flag are
            # set by the backend machinery when pyplot is first imported, not by the notebook's
            # code; what the backend shows is compared as the cells' outputs.
            for k, v in dict.items(mpl.rcParams):
                if k not in ("backend", "interactive"):
                    found[f"matplotlib.rcParams[{k!r}]"] = repr(v)
        if "numpy" in m:
            np = m["numpy"]
            found["numpy.get_printoptions()"] = repr(sorted(np.get_printoptions().items()))
            found["numpy.geterr()"] = repr(sorted(np.geterr().items()))
        if "sklearn" in m:
            found["sklearn.get_config()"] = repr(sorted(m["sklearn"].get_config().items()))
    except Exception:
        pass
    return {k: str(v) for k, v in found.items()}
'''

# The first cell of the whole run: remember, for each key, the last cell that changed it.
HOOK = SNAPSHOT + r'''
def _nb2pipe_watch():
    import hashlib
    last = _nb2pipe_state()
    changed = {}

    def after(result):
        nonlocal last
        source = getattr(getattr(result, "info", None), "raw_cell", "") or ""
        now = _nb2pipe_state()
        if "_nb2pipe_" not in source:
            cell = hashlib.sha1(source.encode()).hexdigest()
            for k, v in now.items():
                if k in last and last[k] != v:
                    changed[k] = cell
        last = now
    get_ipython().events.register("post_run_cell", after)
    return changed
_nb2pipe_changed = _nb2pipe_watch()
'''


def record(path: str, with_changes: bool) -> str:
    """A cell that writes the snapshot (and, in the whole run, who changed what) to `path`."""
    changes = "_nb2pipe_changed" if with_changes else "{}"
    define = "" if with_changes else SNAPSHOT
    return (f"{define}\nimport json as _nb2pipe_json, os as _nb2pipe_os\n"
            f"_nb2pipe_os.makedirs(_nb2pipe_os.path.dirname({json.dumps(path)}), exist_ok=True)\n"
            f"with open({json.dumps(path)}, 'w') as _nb2pipe_f:\n"
            f"    _nb2pipe_json.dump({{'state': _nb2pipe_state(), 'changed': dict({changes})}}, "
            "_nb2pipe_f)\n")


def cell_hash(source: str) -> str:
    return hashlib.sha1(source.encode()).hexdigest()


def first_difference(wholes: list[Mapping[str, Any]], piped: Mapping[str, Any],
                     cells: Mapping[str, int], paths: Paths = Paths()) -> str | None:
    """The first key a notebook cell changed whose value at the stage's start differs between
    the notebook and the pipeline (keys that differ between two whole runs are left out).
    `cells`: cell source hash -> cell index."""
    state = [w.get("state", {}) for w in wholes]
    mine = piped.get("state", {})
    for key, cell in wholes[0].get("changed", {}).items():
        if key not in mine or any(key not in s for s in state):
            continue  # a library the stage has not imported yet
        values = [paths(s[key]) for s in state]
        if any(v != values[0] for v in values) or paths(mine[key]) == values[0]:
            continue
        where = cell_name(cells[cell]) if cell in cells else "a cell"
        return (f"{key} is {_short(paths(mine[key]))} in the pipeline, "
                f"{_short(values[0])} in the notebook (set by {where})")
    return None


def _short(text: str) -> str:
    return text if len(text) < 70 else text[:67] + "..."
