"""`get_ipython()` for stage scripts run with plain `python`: IPython's shell, started on first use,
so `!cmd`, `x = !cmd` and line magics behave as in the notebook."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def get_ipython():  # noqa: ANN201 - returns IPython's InteractiveShell
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    import __main__

    # Magics such as %time run code in the user namespace: make it the script's globals.
    shell.user_ns = __main__.__dict__
    shell.user_global_ns = __main__.__dict__
    return shell
