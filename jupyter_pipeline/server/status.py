"""GET /nb2pipe/status?path=NB: where each stage of the notebook's pipeline stands (from
dvc.lock, the executed notebooks and their errors), for the panel to show after a reload.

The plan hashes the stages' files, possibly large ones: it runs in a thread, off the event loop
every other request of this JupyterLab shares."""

from __future__ import annotations

import asyncio
from typing import Any, Callable

from tornado import web

from ..stage_status import pipeline_status
from ..wire import PipelineStatusReply, status_json
from .handlers import _Handler


class StatusHandler(_Handler):
    @web.authenticated
    async def get(self) -> None:
        path = self.get_query_argument("path", "")
        outcome = await asyncio.get_running_loop().run_in_executor(
            None, _capture, lambda: self._status(path))
        self._answer(200, outcome)

    def _status(self, path: str) -> PipelineStatusReply:
        notebook = self.notebook_path({"path": path}, must_exist=False)
        return status_json(pipeline_status(notebook), self.relative(notebook), self.relative)


def _capture(work: Callable[[], Any]) -> Callable[[], Any]:
    """Run `work` now (in the worker thread); what it returned or raised is given back, or
    raised again, by the callable, on the loop, where `_answer` turns errors into replies."""
    try:
        value = work()
    except Exception as exc:  # noqa: BLE001 - re-raised on the loop, where _answer maps it
        error = exc

        def fail() -> Any:
            raise error
        return fail
    return lambda: value
