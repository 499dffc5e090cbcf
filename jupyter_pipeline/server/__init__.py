"""nb2pipe's jupyter_server extension: the HTTP API the JupyterLab panel calls (see
docs/server-api.md). Handlers are thin; the work is done by `jupyter_pipeline.api`."""

from __future__ import annotations

from typing import Any


def _load_jupyter_server_extension(serverapp: Any) -> None:
    from jupyter_server.utils import url_path_join

    from .handlers import (AnalyzeHandler, CancelRunHandler, ExperimentsHandler, ExportHandler,
                           RunHandler, RunStatusHandler)
    from .runs import Runs
    from .status import StatusHandler

    web_app = serverapp.web_app
    base = url_path_join(web_app.settings["base_url"], "nb2pipe")
    web_app.settings["nb2pipe_runs"] = Runs(web_app.settings["server_root_dir"], serverapp.log)
    web_app.add_handlers(".*$", [
        (url_path_join(base, "analyze"), AnalyzeHandler),
        (url_path_join(base, "export"), ExportHandler),
        (url_path_join(base, "run"), RunHandler),
        (url_path_join(base, "run", r"([^/]+)"), RunStatusHandler),
        (url_path_join(base, "run", r"([^/]+)", "cancel"), CancelRunHandler),
        (url_path_join(base, "status"), StatusHandler),
        (url_path_join(base, "experiments"), ExperimentsHandler),
    ])
    from .worker import ANALYSIS, EXPORTS

    ANALYSIS.start()
    EXPORTS.start()
    serverapp.log.info("nb2pipe: pipeline API at %s", base)
