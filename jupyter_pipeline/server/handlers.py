"""HTTP handlers: thin, authenticated, JSON in and out. Each one checks its request, calls one
`api` function and shapes the answer; errors become 4xx answers in `_answer`, and only there."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

from jupyter_server.base.handlers import APIHandler
from tornado import web

from .. import api
from ..errors import AnalysisFailed, HandEditedFiles, Nb2PipeError, NotebookReadError
from ..wire import analysis_json
from .paths import RequestError, inside_root, relative_to_root, rooted
from .runs import RunConflict


class _Handler(APIHandler):
    @property
    def root(self) -> Path:
        return Path(self.settings["server_root_dir"]).resolve()

    def body(self) -> dict[str, Any]:
        try:
            data = json.loads(self.request.body or b"")
        except (ValueError, UnicodeDecodeError):
            raise RequestError(400, "the request body is not valid JSON") from None
        if not isinstance(data, dict):
            raise RequestError(400, "the request body must be a JSON object")
        return data

    def notebook_path(self, data: dict[str, Any], must_exist: bool = True) -> Path:
        path = inside_root(self.root, data.get("path"))
        if path.suffix != ".ipynb":
            raise RequestError(400, f"'{data.get('path')}' is not a notebook (.ipynb)")
        if must_exist and not path.is_file():
            raise RequestError(404, f"'{data.get('path')}' does not exist: save the notebook "
                                    "first")
        return path

    def relative(self, path: Path) -> str:
        return relative_to_root(self.root, path)

    def _answer(self, status: int, work: Callable[[], Any]) -> None:
        try:
            reply = work()
        except RequestError as exc:
            status, reply = exc.status, {"message": exc.message}
        except AnalysisFailed as exc:
            status, reply = 422, {"message": self._rooted(str(exc)),
                                  "diagnostics": [d.to_dict() for d in exc.diagnostics]}
        except HandEditedFiles as exc:
            status, reply = 409, {"message": self._rooted(str(exc)),
                                  "paths": [self._maybe_relative(p) for p in exc.paths]}
        except RunConflict as exc:
            status, reply = 409, {"message": "this pipeline is already running; wait for that "
                                             "run to end", "run_id": exc.run_id}
        except Nb2PipeError as exc:
            status, reply = 422, {"message": self._rooted(str(exc))}
        except Exception as exc:  # noqa: BLE001 - a bug of ours: say so in JSON, trace in the log
            self.log.exception("nb2pipe: %s %s failed", self.request.method, self.request.path)
            status, reply = 500, {"message": f"nb2pipe failed unexpectedly ({exc!r}); the "
                                             "server's log has the details"}
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(reply))

    def _maybe_relative(self, path: str) -> str:
        try:
            return self.relative(Path(path))
        except ValueError:
            return path

    def _rooted(self, message: str) -> str:
        return rooted(self.settings["server_root_dir"], message)


def _by_headings(options: dict[str, Any]) -> int | None:
    level = options.get("by_headings")
    if level is None:
        return None
    if not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= 6:
        raise RequestError(400, "'by_headings' must be a heading level from 1 to 6, or null")
    return level


def _options(data: dict[str, Any]) -> dict[str, Any]:
    options = data.get("options", {})
    if not isinstance(options, dict):
        raise RequestError(400, "'options' must be a JSON object")
    if not isinstance(options.get("force", False), bool):
        raise RequestError(400, "'force' must be true or false")
    return options


class AnalyzeHandler(_Handler):
    @web.authenticated
    def post(self) -> None:
        self._answer(200, self._analyze)

    def _analyze(self) -> dict[str, Any]:
        data = self.body()
        level = _by_headings(data)
        if "notebook" in data:
            path = self.notebook_path(data, must_exist=False)
            analysis = api.analyze_notebook(data["notebook"], self.relative(path), level)
        else:
            path = self.notebook_path(data)
            try:
                analysis = api.analyze_path(path, level)
            except NotebookReadError as exc:
                raise RequestError(422, self._rooted(str(exc))) from None
        reply = analysis_json(analysis)
        reply["notebook"] = self.relative(path)
        return reply


class ExportHandler(_Handler):
    @web.authenticated
    def post(self) -> None:
        self._answer(200, self._export)

    def _export(self) -> dict[str, Any]:
        data = self.body()
        options = _options(data)
        path = self.notebook_path(data)
        result = api.convert(path, None, _by_headings(options), options.get("force", False))
        out = self.relative(result.out_dir) if result.out_dir.resolve() != self.root else ""

        def rooted(names: tuple[str, ...]) -> list[str]:
            return [f"{out}/{n}" if out else n for n in names]

        analysis = analysis_json(result.analysis)
        analysis["notebook"] = self.relative(path)
        return {"written": rooted(result.written), "unchanged": rooted(result.unchanged),
                "removed": rooted(result.removed), "out_dir": out,
                "dvc_yaml": f"{out}/dvc.yaml" if out else "dvc.yaml", "analysis": analysis}


class RunHandler(_Handler):
    @web.authenticated
    def post(self) -> None:
        self._answer(202, self._start)

    def _start(self) -> dict[str, Any]:
        data = self.body()
        options = _options(data)
        path = self.notebook_path(data)
        if not (path.parent / "dvc.yaml").is_file():
            folder = self.relative(path.parent) or "."
            raise RequestError(422, f"'{folder}' has no dvc.yaml yet: export the notebook to a "
                                    "pipeline first ('Export to pipeline'), then run it")
        run = self.settings["nb2pipe_runs"].start(path.parent, options.get("force", False))
        return {"run_id": run.run_id}


class RunStatusHandler(_Handler):
    @web.authenticated
    def get(self, run_id: str) -> None:
        self._answer(200, lambda: self._status(run_id))

    def _status(self, run_id: str) -> dict[str, Any]:
        run = self.settings["nb2pipe_runs"].get(run_id)
        if run is None:
            raise RequestError(404, f"no run '{run_id}' (runs are forgotten when the server "
                                    "restarts): start the pipeline again")
        return run.to_json()
