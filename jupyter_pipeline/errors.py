"""One exception root for every problem nb2pipe reports to a user.

Exceptions are for misuse and the environment (a file that is not a notebook, a folder that
cannot be written). Odd *code* inside a notebook is never an exception: the analysis reports it
as a diagnostic (see model/diagnostics.py), and `AnalysisFailed` carries those diagnostics out
when they block a conversion.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from .model.diagnostics import Diagnostic


class Nb2PipeError(Exception):
    """Root of every error nb2pipe reports; `str()` is the complete message for the user."""


class NotebookReadError(Nb2PipeError):
    """The file could not be read as a Jupyter notebook in nbformat 4."""

    def __init__(self, path: str, problem: str, fix: str) -> None:
        self.path, self.problem, self.fix = path, problem, fix
        super().__init__(f"'{path}' {problem}. {fix}")


class AnalysisFailed(Nb2PipeError):
    """The notebook has errors that block a conversion; nothing was written."""

    def __init__(self, path: str, diagnostics: Sequence["Diagnostic"]) -> None:
        self.path = path
        self.diagnostics = list(diagnostics)
        lines = [d.render(path) for d in self.diagnostics]
        super().__init__("\n".join(lines) + "\nNothing was written.")


class OutputError(Nb2PipeError):
    """The pipeline could not be written where asked."""

    def __init__(self, path: str, problem: str, fix: str) -> None:
        self.path, self.problem, self.fix = path, problem, fix
        super().__init__(f"'{path}' {problem}. {fix}")


class HandEditedFiles(Nb2PipeError):
    """Generated files were edited by hand since the last convert."""

    def __init__(self, paths: Sequence[str]) -> None:
        self.paths = list(paths)
        listing = ", ".join(f"'{p}'" for p in self.paths)
        super().__init__(
            f"{listing} changed since nb2pipe wrote it (edited by hand, or not written by nb2pipe). "
            "Nothing was written. Move your changes into the notebook, or run again with --force "
            "to overwrite."
        )


class PipelineFileError(Nb2PipeError):
    """An existing dvc.yaml or params.yaml cannot be merged with this notebook's pipeline."""

    def __init__(self, path: str, problem: str, fix: str) -> None:
        self.path, self.problem, self.fix = path, problem, fix
        super().__init__(f"'{path}' {problem}. {fix}")


class HandEditedStages(HandEditedFiles):
    """Stages of dvc.yaml that nb2pipe generated were changed by hand since (a `metrics:`
    section added, a dep removed): replacing them would drop the change."""

    def __init__(self, path: str, edits: Sequence[tuple[str, str, str]]) -> None:
        self.edits = list(edits)  # (stage, key, "added" | "changed" | "removed")
        by_stage: dict[str, list[str]] = {}
        for stage, key, how in self.edits:
            by_stage.setdefault(stage, []).append(f"'{key}' {how}")
        listing = "; ".join(f"stage '{stage}' has {', '.join(keys)}"
                            for stage, keys in by_stage.items())
        Nb2PipeError.__init__(
            self, f"'{path}': {listing} by hand since nb2pipe generated it. Nothing was written. "
            "Converting would replace the stage and lose that change: express it in the notebook "
            "(a 'metrics' or 'plots' tag, a file the code reads or writes), or move it to a stage "
            "of your own, or run again with --force to replace the stage")
        self.paths = [path]


class AnalysisCrashed(Nb2PipeError):
    """nb2pipe's own analysis failed on a notebook: a bug of ours, reported at the cell that
    triggers it (the cause is chained, and logged by the server) instead of a traceback."""

    def __init__(self, path: str, cell: int | None, error: BaseException) -> None:
        from .model.diagnostics import cell_name

        self.path, self.cell = path, cell
        self.error = f"{type(error).__name__}: {error}"
        where = f"'{path}', {cell_name(cell)}" if cell is not None else f"'{path}'"
        what = "this cell" if cell is not None else "this notebook"
        super().__init__(
            f"{where}: nb2pipe's analysis failed on {what} ({self.error}). That is a bug "
            "to report to nb2pipe, with the cell's code. Until it is fixed, rewrite the "
            "unusual construct in the cell, or tag the cell 'skip' if the pipeline does not need "
            "it. Nothing was written")
