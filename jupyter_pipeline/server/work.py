"""What each request does, as plain functions of (root, request body) -> (status, reply, log).

They run in nb2pipe's worker process (see worker.py), never on the server's event loop: parsing
a 12 MB notebook and analysing its cells holds the GIL for seconds, which a thread would not
hide. Everything they take and return is plain data (pickled across the process boundary), and
every error becomes its 4xx answer here, in `answer`, and only here."""

from __future__ import annotations

import json
import traceback
from pathlib import Path
from typing import Any, Callable

from .. import api
from ..errors import AnalysisCrashed, AnalysisFailed, HandEditedFiles, Nb2PipeError
from ..wire import analysis_json
from .paths import RequestError, inside_root, relative_to_root, rooted

Reply = tuple[int, dict[str, Any], str | None]  # status, JSON answer, text for the server's log

# What one request may cost. A notebook this size or cell count is far beyond any notebook
# people analyse live; `nb2pipe convert` in a terminal has no such bound.
MAX_BODY_BYTES = 64 * 1024 * 1024
MAX_CELLS = 50_000


def answer(root: str, status: int, work: Callable[[Path], dict[str, Any]]) -> Reply:
    try:
        return status, work(Path(root).resolve()), None
    except Exception as exc:  # noqa: BLE001 - error_reply says what each one means
        return error_reply(root, exc)


def error_reply(root: str, exc: BaseException) -> Reply:
    """The one place an error becomes an answer: 4xx with nb2pipe's message for everything a
    user can cause, 500 (trace in the server's log) only for a bug of ours."""
    base = Path(root).resolve()
    if isinstance(exc, RequestError):
        return exc.status, {"message": exc.message}, None
    if isinstance(exc, AnalysisFailed):
        return 422, {"message": rooted(root, str(exc)),
                     "diagnostics": [d.to_dict() for d in exc.diagnostics]}, None
    if isinstance(exc, HandEditedFiles):
        return 409, {"message": rooted(root, str(exc)),
                     "paths": [_maybe_relative(base, p) for p in exc.paths]}, None
    if isinstance(exc, AnalysisCrashed):  # a bug of ours, answered at its cell: trace in the log
        return 422, {"message": rooted(root, str(exc))}, "".join(
            traceback.format_exception(exc.__cause__ or exc))
    if isinstance(exc, Nb2PipeError):
        return 422, {"message": rooted(root, str(exc))}, None
    if isinstance(exc, RecursionError):
        return 422, {"message": "the notebook is nested too deeply for nb2pipe to read"}, None
    return 500, {"message": f"nb2pipe failed unexpectedly ({exc!r}); the server's log has the "
                            "details"}, "".join(traceback.format_exception(exc))


def body(raw: bytes) -> dict[str, Any]:
    if len(raw) > MAX_BODY_BYTES:
        raise RequestError(413, f"the request is {len(raw) // 2**20} MB; nb2pipe takes at most "
                                f"{MAX_BODY_BYTES // 2**20} MB: convert in a terminal instead")
    try:
        data = json.loads(raw or b"")
    except (ValueError, UnicodeDecodeError):
        raise RequestError(400, "the request body is not valid JSON") from None
    except RecursionError:
        raise RequestError(400, "the request body is JSON nested too deeply") from None
    if not isinstance(data, dict):
        raise RequestError(400, "the request body must be a JSON object")
    return data


def notebook_path(root: Path, data: dict[str, Any], must_exist: bool = True) -> Path:
    path = inside_root(root, data.get("path"))
    if path.suffix != ".ipynb":
        raise RequestError(400, f"'{data.get('path')}' is not a notebook (.ipynb)")
    if must_exist:
        try:
            found = path.is_file()
        except OSError as exc:
            raise RequestError(400, f"'{data.get('path')}' cannot be used ({exc.strerror})"
                               ) from None
        if not found:
            raise RequestError(404, f"'{data.get('path')}' does not exist: save the notebook "
                                    "first")
    return path


def by_headings(options: dict[str, Any]) -> int | None:
    level = options.get("by_headings")
    if level is None:
        return None
    if not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= 6:
        raise RequestError(400, "'by_headings' must be a heading level from 1 to 6, or null")
    return level


def options_of(data: dict[str, Any]) -> dict[str, Any]:
    options = data.get("options", {})
    if not isinstance(options, dict):
        raise RequestError(400, "'options' must be a JSON object")
    if not isinstance(options.get("force", False), bool):
        raise RequestError(400, "'force' must be true or false")
    return options


def _cell_count_bound(notebook: Any) -> None:
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if isinstance(cells, list) and len(cells) > MAX_CELLS:
        raise RequestError(413, f"the notebook has {len(cells)} cells; the panel analyses at "
                                f"most {MAX_CELLS}: use 'nb2pipe show' in a terminal")


def analyze(root: str, raw: bytes) -> Reply:
    def work(base: Path) -> dict[str, Any]:
        data = body(raw)
        level = by_headings(data)
        if "notebook" in data:
            path = notebook_path(base, data, must_exist=False)
            _cell_count_bound(data["notebook"])
            # The notebook's own modules beside it count as for a saved notebook (CLI).
            analysis = api.analyze_notebook(data["notebook"], relative_to_root(base, path),
                                            level, path)
        else:
            path = _saved_notebook(base, data)
            analysis = api.analyze_path(path, level)
        return _analysis_reply(analysis, base, path)
    return answer(root, 200, work)


def _analysis_reply(analysis: Any, base: Path, path: Path) -> dict[str, Any]:
    reply = analysis_json(analysis)
    reply["notebook"] = relative_to_root(base, path)
    return reply


def _saved_notebook(base: Path, data: dict[str, Any]) -> Path:
    """The saved notebook the request names, within what one request may cost."""
    path = notebook_path(base, data)
    size = path.stat().st_size
    if size > MAX_BODY_BYTES:
        raise RequestError(413, f"'{path.name}' is {size // 2**20} MB; the panel works on at "
                                f"most {MAX_BODY_BYTES // 2**20} MB: convert in a terminal")
    return path


def export(root: str, raw: bytes) -> Reply:
    def work(base: Path) -> dict[str, Any]:
        data = body(raw)
        options = options_of(data)
        path = _saved_notebook(base, data)
        result = api.convert(path, None, by_headings(options), options.get("force", False))
        out = relative_to_root(base, result.out_dir) if result.out_dir.resolve() != base else ""

        def from_root(names: tuple[str, ...]) -> list[str]:
            return [f"{out}/{n}" if out else n for n in names]

        analysis = _analysis_reply(result.analysis, base, path)
        return {"written": from_root(result.written), "unchanged": from_root(result.unchanged),
                "removed": from_root(result.removed), "out_dir": out,
                "dvc_yaml": f"{out}/dvc.yaml" if out else "dvc.yaml", "analysis": analysis,
                "kept_params": [{"name": k.name, "value": k.value,
                                 "notebook_value": k.notebook_value}
                                for k in result.kept_params]}
    return answer(root, 200, work)


def run_target(root: str, raw: bytes) -> Reply:
    """The checks before a run; a 202 reply holds the pipeline's `folder` and `force` for the
    handler, which starts the run in the server's process (it reports progress there)."""
    def work(base: Path) -> dict[str, Any]:
        data = body(raw)
        options = options_of(data)
        path = notebook_path(base, data)
        folder = path.parent
        if not (folder / "dvc.yaml").is_file():
            shown = relative_to_root(base, folder) or "."
            raise RequestError(422, f"'{shown}' has no dvc.yaml yet: export the notebook to a "
                                    "pipeline first ('Export to pipeline'), then run it")
        outside = api.outputs_outside(folder, base)
        if outside:
            listing = ", ".join(f"'{p}' (stage '{s}')" for s, p in outside)
            raise RequestError(422, f"the pipeline would write outside the folder JupyterLab "
                                    f"was started in: {listing}. nb2pipe only writes inside it: "
                                    "move those outputs (or the links on their way) inside, "
                                    "then run again")
        return {"folder": str(folder), "force": options.get("force", False)}
    return answer(root, 202, work)


def _maybe_relative(root: Path, path: str) -> str:
    try:
        return relative_to_root(root, Path(path))
    except (ValueError, OSError):
        return path


def warm() -> int:
    """Import what requests need, so the first real one does not pay for it."""
    return 0
