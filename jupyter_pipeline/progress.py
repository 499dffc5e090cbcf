"""Edge: how `nb2pipe run` shows progress. A live table in a terminal (rich): each stage with its
state, time and, while it runs, its cell ("cell 3/7") and the last line it printed. Plain lines
otherwise (CI logs, `| tee`): one per stage event, and while a stage runs one per cell it starts
(at most one a second per stage) and one every HEARTBEAT seconds of a long cell, so a log never
falls silent for a stage's whole duration."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Iterable, Sequence

from rich.console import Console
from rich.live import Live
from rich.table import Table
from rich.text import Text

# Plain lines: the least time between two cell lines of a stage, and the time after which a
# stage still in the same cell says so again.
MIN_GAP = 1.0
HEARTBEAT = 15.0


@dataclass
class _Running:
    """A running stage as the plain log knows it."""

    start: float
    cell: str = ""  # "cell 2/4", "loading inputs"
    output: str = ""  # the last line it printed
    said: float = 0.0  # when its last line was printed
    said_cell: str = ""  # the cell that line named
    said_output: str = ""


class LineLog:
    def __init__(self, console: Console, heartbeat: float = HEARTBEAT,
                 min_gap: float = MIN_GAP) -> None:
        self.console = console
        self.heartbeat, self.min_gap = heartbeat, min_gap
        self.running: dict[str, _Running] = {}
        self.lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def __enter__(self) -> "LineLog":
        self._ticker = threading.Thread(target=self._tick, name="progress", daemon=True)
        self._ticker.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()

    def not_selected(self, stages: Iterable[str]) -> None:
        """The stages the run left out (`nb2pipe run STAGE`): a plain log names only events."""

    def __call__(self, event) -> None:  # noqa: ANN001 - runner.run.Event
        now = time.monotonic()
        with self.lock:
            if event.state in ("cell", "output"):
                row = self.running.get(event.stage)
                if row is None:
                    return
                if event.state == "output":
                    row.output = event.detail
                    return
                row.cell = event.detail
                if now - row.said >= self.min_gap:
                    self._say_cell(event.stage, row, now)
                return
            if event.state == "running":
                self.running[event.stage] = _Running(now, said=now)
            else:
                self.running.pop(event.stage, None)
        text = {
            "running": f"running  {event.stage}",
            "done": f"done     {event.stage} ({event.seconds:.1f} s)",
            "skipped": f"skipped  {event.stage} ({event.detail})",
            "failed": f"FAILED   {event.stage} after {event.seconds:.1f} s: {event.detail}",
            "not started": f"not run  {event.stage} ({event.detail})",
        }.get(event.state)
        if text:
            self.console.print(text, markup=False)

    def _say_cell(self, stage: str, row: _Running, now: float) -> None:
        """Print where `stage` is (called with the lock held)."""
        text = f"running  {stage}: {row.cell or 'starting'} ({now - row.start:.1f} s)"
        if row.output and row.output != row.said_output:
            text += f": {row.output}"
        row.said, row.said_cell, row.said_output = now, row.cell, row.output
        self.console.print(text, markup=False, soft_wrap=True)

    def _tick(self) -> None:
        """A cell that started within MIN_GAP of the last line is said when it still runs a
        second later; a stage in one cell for HEARTBEAT seconds says so again."""
        while not self._stop.wait(min(self.min_gap, self.heartbeat)):
            now = time.monotonic()
            with self.lock:
                for stage, row in self.running.items():
                    unsaid = row.cell and row.cell != row.said_cell
                    if (unsaid and now - row.said >= self.min_gap) or \
                            now - row.said >= self.heartbeat:
                        self._say_cell(stage, row, now)


class LiveTable:
    """Every stage with its state, elapsed time and, while running, the current cell and the
    last line the stage printed."""

    _STYLE = {"waiting": "dim", "skipped": "dim", "running": "bold cyan", "done": "green",
              "failed": "bold red", "not started": "yellow", "not selected": "dim"}

    def __init__(self, console: Console, stages: Sequence[str]) -> None:
        self.console = console
        self.rows = {s: self._row() for s in stages}
        self.lock = threading.Lock()
        self.live = Live(self._table(), console=console, refresh_per_second=4,
                         get_renderable=self._table)
        self.failures: list[str] = []

    @staticmethod
    def _row() -> dict:
        return {"state": "waiting", "detail": "", "output": "", "start": None, "seconds": None}

    def __enter__(self) -> "LiveTable":
        self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.live.__exit__(*exc)
        for line in self.failures:
            self.console.print(line, markup=False)

    def not_selected(self, stages: Iterable[str]) -> None:
        """The stages the run left out (`nb2pipe run STAGE`) show so in the final frame, not as
        still waiting."""
        with self.lock:
            for name in stages:
                row = self.rows.get(name)
                if row is not None and row["state"] == "waiting":
                    row["state"] = "not selected"

    def __call__(self, event) -> None:  # noqa: ANN001
        with self.lock:
            row = self.rows.setdefault(event.stage, self._row())
            if event.state == "cell":
                row["detail"] = event.detail
                return
            if event.state == "output":
                row["output"] = event.detail
                return
            row["state"] = event.state
            row["detail"], row["output"] = event.detail, ""
            if event.state == "running":
                row["start"] = time.monotonic()
            if event.state in ("done", "failed"):
                row["seconds"] = event.seconds
            if event.state == "failed":
                self.failures.append(f"FAILED {event.stage}: {event.detail}")

    def _table(self) -> Table:
        table = Table(box=None, show_edge=False, header_style="bold")
        for col in ("stage", "state", "time"):
            table.add_column(col, no_wrap=True)
        # One line per stage: a long output line is cut here (it is not a path or a message).
        table.add_column("", no_wrap=True, overflow="ellipsis")
        with self.lock:
            for name, row in self.rows.items():
                seconds = row["seconds"]
                if seconds is None and row["start"] is not None:
                    seconds = time.monotonic() - row["start"]
                shown = "" if seconds is None else f"{seconds:.1f} s"
                detail = Text(row["detail"] if row["state"] != "failed" else "see below")
                if row["state"] == "running" and row["output"]:
                    detail.append(f"  {row['output']}", style="dim")
                # Text, not markup: stage names and failure details are user text.
                table.add_row(Text(name), Text(row["state"], style=self._STYLE.get(row["state"], "")),
                              Text(shown), detail)
        return table
