"""`get_ipython()` for stage scripts run with plain `python`: IPython's shell, started on first use
with the script's own globals as its namespace, so `!cmd`, `x = !cmd`, `%time x = ...` and
`%%capture out` behave as in the notebook."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def get_ipython():  # noqa: ANN201 - returns IPython's InteractiveShell
    import __main__

    from IPython.core.interactiveshell import InteractiveShell

    class ScriptShell(InteractiveShell):
        def enable_gui(self, gui=None):  # noqa: ANN001, ANN201
            """A script has no GUI event loop: `%matplotlib inline` only picks the backend."""

    return ScriptShell.instance(user_module=__main__)
