"""HTTP handlers: thin, authenticated, JSON in and out, and asynchronous: each one hands the
request's body to a function of work.py running in nb2pipe's worker process and writes back the
status and answer it returns. Nothing heavy runs on the server's event loop."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from jupyter_server.base.handlers import APIHandler
from tornado import web

from . import experiments, work
from . import runs as pipeline_runs
from .runs import RunConflict
from .worker import ANALYSIS, EXPORTS

# How long one live analysis may take before its worker is stopped. An export is not stopped
# half-way (it writes files); its cost is bounded by the notebook's size and cell count instead.
ANALYZE_SECONDS = 120.0


class _Handler(APIHandler):
    @property
    def root(self) -> str:
        return str(Path(self.settings["server_root_dir"]).resolve())

    def reply(self, status: int, answer: dict[str, Any], log: str | None = None) -> None:
        if log:
            self.log.error("nb2pipe: %s %s: %s", self.request.method, self.request.path, log)
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(answer))

    def too_big(self) -> bool:
        if len(self.request.body or b"") > work.MAX_BODY_BYTES:
            self.reply(413, {"message": f"the request is larger than "
                                        f"{work.MAX_BODY_BYTES // 2**20} MB: convert in a "
                                        "terminal instead"})
            return True
        return False


class AnalyzeHandler(_Handler):
    @web.authenticated
    async def post(self) -> None:
        if not self.too_big():
            self.reply(*await ANALYSIS.call(work.analyze, self.root, self.request.body,
                                          timeout=ANALYZE_SECONDS, what="the analysis"))


class ExportHandler(_Handler):
    @web.authenticated
    async def post(self) -> None:
        if not self.too_big():
            self.reply(*await EXPORTS.call(work.export, self.root, self.request.body,
                                          timeout=None, what="the export"))


class RunHandler(_Handler):
    @web.authenticated
    async def post(self) -> None:
        if self.too_big():
            return
        status, answer, log = await EXPORTS.call(work.run_target, self.root, self.request.body,
                                                timeout=ANALYZE_SECONDS, what="reading dvc.yaml")
        if status != 202:
            return self.reply(status, answer, log)
        runs = self.settings["nb2pipe_runs"]
        try:
            run = await asyncio.to_thread(runs.start, Path(answer["folder"]), answer["force"])
        except RunConflict as exc:
            return self.reply(409, {"message": "this pipeline is already running; wait for that "
                                               "run to end", "run_id": exc.run_id})
        except Exception as exc:  # noqa: BLE001 - the same answers as every other request
            return self.reply(*work.error_reply(self.root, exc))
        self.reply(202, {"run_id": run.run_id})


class RunStatusHandler(_Handler):
    @web.authenticated
    def get(self, run_id: str) -> None:
        run = self.settings["nb2pipe_runs"].get(run_id)
        if run is None:
            return self.reply(404, {"message": f"no run '{run_id}' (runs are forgotten when the "
                                               "server restarts): start the pipeline again"})
        self.reply(200, run.to_json())


class CancelRunHandler(_Handler):
    """POST: stop a running pipeline as Ctrl-C stops `nb2pipe run`; the answer is the run's
    status now (still "running" until its kernels are stopped: poll it as usual)."""

    @web.authenticated
    def post(self, run_id: str) -> None:
        run = self.settings["nb2pipe_runs"].get(run_id)
        if run is None:
            return self.reply(404, {"message": f"no run '{run_id}' (runs are forgotten when the "
                                               "server restarts)"})
        try:
            pipeline_runs.cancel(run)
        except pipeline_runs.NotCancellable as exc:
            return self.reply(409, {"message": str(exc), "run_id": run_id})
        self.reply(202, run.to_json())


class ExperimentsHandler(_Handler):
    """GET: the pipeline's parameters, experiments and provenance; POST: run experiments."""

    @web.authenticated
    async def get(self) -> None:
        self.reply(*await EXPORTS.call(experiments.read, self.root,
                                       self.get_query_argument("path", ""), timeout=None,
                                       what="reading the experiments"))

    @web.authenticated
    async def post(self) -> None:
        if self.too_big():
            return
        status, answer, log = await EXPORTS.call(experiments.check, self.root, self.request.body,
                                                timeout=ANALYZE_SECONDS, what="checking the grid")
        if status != 202:
            return self.reply(status, answer, log)
        request = experiments.SweepRequest(Path(answer["folder"]), answer["grid"], answer["jobs"])
        try:
            run = await asyncio.to_thread(experiments.start, self.settings["nb2pipe_runs"],
                                          request, self.log)
        except RunConflict as exc:
            return self.reply(409, {"message": "this pipeline is running already; wait for that "
                                               "run to end", "run_id": exc.run_id})
        except Exception as exc:  # noqa: BLE001 - the same answers as every other request
            return self.reply(*work.error_reply(self.root, exc))
        self.reply(202, {"run_id": run.run_id})
