"""Edge: one stage as `nb2pipe exec-stage` runs it, with the files an engine's task moves through
the storage: download the files an earlier stage wrote (`pull`), run the stage notebook, upload
what it wrote (`push`). Both are empty unless an exported Airflow or KFP task runs the stage
with a storage (runtime/remote.py); then a storage problem is a failed stage, named."""

from __future__ import annotations

from typing import Sequence

from ..runtime import remote
from .execute import StageFailed, execute_stage


def run_stage_task(notebook: str, output: str, params_file: str = "params.yaml",
                   kernel: str | None = None, pull: Sequence[str] = (),
                   push: Sequence[str] = ()) -> None:
    """What the stage prints is this process's output (`echo`)."""
    try:
        remote.pull(list(pull))
    except remote.StorageError as exc:
        raise StageFailed(notebook, output, str(exc).rstrip("."), "Nothing ran") from None
    execute_stage(notebook, output, params_file, kernel, echo=True)
    try:
        remote.push(list(push))
    except remote.StorageError as exc:
        raise StageFailed(notebook, output, str(exc).rstrip("."),
                          "The stage ran; what it wrote is on this worker only") from None
