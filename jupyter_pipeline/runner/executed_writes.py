"""Edge: papermill's writes of an executed stage notebook, atomic and inside the repository.

papermill rewrites the executed notebook after every cell with a plain `open(path, "w")`: a run
killed during a write leaves half a notebook, and a folder on the way that a stage turned into
a symlink sends it elsewhere. Its I/O handlers are its documented extension point; the one here
takes absolute paths (the runner hands papermill its output as one) and writes each version with
runtime/atomic.py, inside the repository holding the folder the run started in.
"""

from __future__ import annotations

import functools
import os

from ..runtime import atomic


def _handler():  # noqa: ANN202 - a papermill LocalHandler
    from papermill.iorw import LocalHandler

    class AtomicLocalHandler(LocalHandler):
        def write(self, buf: str, path: str) -> None:
            atomic.write_file(path, buf, atomic.stage_root(os.getcwd(), path))

    return AtomicLocalHandler()


# Once per process; two threads racing here register two equal handlers, which is harmless.
@functools.cache
def _register() -> None:
    from papermill.iorw import papermill_io

    papermill_io.register("/", _handler())  # consulted before papermill's own (LIFO)


def output_path(output: str) -> str:
    """The path to hand papermill as its output: absolute, so the handler registered here (for
    paths starting with '/') is the one that writes it."""
    _register()
    return os.path.abspath(output)
