"""Edge: how `nb2pipe run` shows progress. A live table in a terminal (rich); one plain line per
event otherwise, so CI logs stay readable."""

from __future__ import annotations

import threading
import time
from typing import Sequence

from rich.console import Console
from rich.live import Live
from rich.table import Table
from rich.text import Text


class LineLog:
    def __init__(self, console: Console) -> None:
        self.console = console

    def __enter__(self) -> "LineLog":
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def __call__(self, event) -> None:  # noqa: ANN001
        text = {
            "running": f"running  {event.stage}",
            "done": f"done     {event.stage} ({event.seconds:.1f} s)",
            "skipped": f"skipped  {event.stage} ({event.detail})",
            "failed": f"FAILED   {event.stage} after {event.seconds:.1f} s: {event.detail}",
            "not started": f"not run  {event.stage} ({event.detail})",
        }.get(event.state)
        if text:
            self.console.print(text, markup=False)


class LiveTable:
    """Every stage with its state, elapsed time and, while running, the current cell."""

    _STYLE = {"waiting": "dim", "skipped": "dim", "running": "bold cyan", "done": "green",
              "failed": "bold red", "not started": "yellow"}

    def __init__(self, console: Console, stages: Sequence[str]) -> None:
        self.console = console
        self.rows = {s: {"state": "waiting", "detail": "", "start": None, "seconds": None}
                     for s in stages}
        self.lock = threading.Lock()
        self.live = Live(self._table(), console=console, refresh_per_second=4,
                         get_renderable=self._table)
        self.failures: list[str] = []

    def __enter__(self) -> "LiveTable":
        self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.live.__exit__(*exc)
        for line in self.failures:
            self.console.print(line, markup=False)

    def __call__(self, event) -> None:  # noqa: ANN001
        with self.lock:
            row = self.rows.setdefault(event.stage, {"state": "waiting", "detail": "",
                                                     "start": None, "seconds": None})
            if event.state == "cell":
                row["detail"] = f"cell {event.detail}"
                return
            row["state"] = event.state
            row["detail"] = event.detail
            if event.state == "running":
                row["start"] = time.monotonic()
            if event.state in ("done", "failed"):
                row["seconds"] = event.seconds
            if event.state == "failed":
                self.failures.append(f"FAILED {event.stage}: {event.detail}")

    def _table(self) -> Table:
        table = Table(box=None, show_edge=False, header_style="bold")
        for col in ("stage", "state", "time", ""):
            table.add_column(col)
        with self.lock:
            for name, row in self.rows.items():
                seconds = row["seconds"]
                if seconds is None and row["start"] is not None:
                    seconds = time.monotonic() - row["start"]
                shown = "" if seconds is None else f"{seconds:.1f} s"
                detail = row["detail"] if row["state"] != "failed" else "see below"
                # Text, not markup: stage names and failure details are user text.
                table.add_row(Text(name), Text(row["state"], style=self._STYLE.get(row["state"], "")),
                              Text(shown), Text(detail))
        return table
