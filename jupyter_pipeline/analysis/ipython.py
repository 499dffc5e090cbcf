"""IPython syntax -> plain Python, using IPython's own input transformer.

`%magic`, `!shell`, `x = !cmd`, `obj?` and `%%cell` magics become the calls IPython itself would
make (`get_ipython().run_line_magic(...)` and so on). Line magics keep their line, so positions in
diagnostics stay right; a cell magic becomes one call on the first line, and the analysis maps the
lines of its body back by adding one.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Only cells with something that looks like IPython syntax pay for the transformer. `?obj`
# (help before the name) counts too: left untransformed it is a syntax error.
_LOOKS_LIKE_IPYTHON = re.compile(r"^\s*[%!?]|^[^#\n]*=\s*[%!]|\?\s*$", re.MULTILINE)


@lru_cache(maxsize=1)
def _transformer():
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager()


def to_python(source: str) -> str:
    """The Python IPython would run for `source` (unchanged when it has no IPython syntax)."""
    if not _LOOKS_LIKE_IPYTHON.search(source):
        return source
    try:
        return _transformer().transform_cell(source)
    except Exception:  # noqa: BLE001 - IPython's transformer is best effort; the parser reports
        return source


def has_ipython_syntax(source: str) -> bool:
    return to_python(source) != source and "get_ipython()" in to_python(source)


# Magics whose argument (line) or body (cell) is Python that runs in the user's namespace.
CODE_LINE_MAGICS = frozenset({"time", "prun"})
READ_ONLY_LINE_MAGICS = frozenset({"timeit"})  # runs the code in its own scope: reads only
CODE_CELL_MAGICS = frozenset({"time", "capture", "prun"})
READ_ONLY_CELL_MAGICS = frozenset({"timeit"})
# `obj?`, `obj??` and their magics look at the object: a read of its name.
HELP_MAGICS = frozenset({"pinfo", "pinfo2", "pdef", "pdoc", "psource", "pfile"})
# Options of %timeit / %%timeit that take a value.
_TIMEIT_VALUE_OPTS = frozenset({"-n", "-r", "-t", "-c", "-p"})


def strip_magic_options(name: str, line: str) -> tuple[list[str], str]:
    """Split a magic's line into its leading options and the rest (the code, or the target)."""
    words = line.split()
    opts: list[str] = []
    i = 0
    while i < len(words) and words[i].startswith("-"):
        opts.append(words[i])
        if name == "timeit" and words[i] in _TIMEIT_VALUE_OPTS and i + 1 < len(words):
            i += 1
            opts.append(words[i])
        i += 1
    # Re-find the remainder in the original line to keep its exact spacing.
    rest = line
    for w in opts:
        rest = rest.split(w, 1)[1] if w in rest else rest
    return opts, rest.strip()
