"""GET /nb2pipe/status?path=NB: where each stage of the notebook's pipeline stands (from
dvc.lock, the executed notebooks and their errors), for the panel to show after a reload.

The plan hashes the stages' files, possibly large ones: it runs in a thread, off the event loop
every other request of this JupyterLab shares; errors become answers in work.error_reply, as for
every other request."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from tornado import web

from ..stage_status import pipeline_status
from ..wire import status_json
from . import work
from .handlers import _Handler
from .paths import relative_to_root


class StatusHandler(_Handler):
    @web.authenticated
    async def get(self) -> None:
        path = self.get_query_argument("path", "")
        self.reply(*await asyncio.to_thread(work.answer, self.root, 200,
                                            lambda root: _status(root, path)))


def _status(root: Path, path: str) -> dict[str, Any]:
    notebook = work.notebook_path(root, {"path": path}, must_exist=False)

    def relative(p: Path) -> str:
        return relative_to_root(root, p)

    return dict(status_json(pipeline_status(notebook), relative(notebook), relative))
