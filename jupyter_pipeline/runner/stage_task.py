"""Edge: one stage as `nb2pipe exec-stage` runs it, with the files an engine's task moves through
the storage: download what earlier stages wrote that it reads (`pull`: their handoff folders and
files), run the stage notebook, upload what it wrote (`push`: its handoff folder, files,
executed notebook, metrics). Both are empty unless an exported Airflow or KFP task runs the
stage with a storage (runtime/remote.py); then a storage problem is a failed stage, named.

The kernel then works on local folders, exactly as under `dvc repro`: it is not given the
storage (NB2PIPE_STORAGE), so it neither imports fsspec and the storage's library a second time
(≈0.25 s a task for s3fs) nor needs the credentials. Without pull or push (a DAG exported
before), the kernel's load and save steps reach the storage themselves, as they did."""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Iterator, Sequence

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
    try:
        with _storage_hidden() if pull or push else contextlib.nullcontext():
            execute_stage(notebook, output, params_file, kernel, echo=True)
    except StageFailed:
        _keep_failed(output, push)
        raise
    try:
        remote.push(list(push))
    except remote.StorageError as exc:
        raise StageFailed(notebook, output, str(exc).rstrip("."),
                          "The stage ran; what it wrote is on this worker only") from None


def _keep_failed(output: str, push: Sequence[str]) -> None:
    """A failed stage's executed notebook (it shows the failing cell and its traceback) goes to
    the storage too, best effort: the worker that has it may be gone when someone looks."""
    if output not in push or not os.path.exists(output):
        return
    try:
        remote.push([output])
        url = remote.url_of(os.path.abspath(output), None)
    except remote.StorageError:
        return
    print(f"nb2pipe: its executed notebook, with the failing cell, is in '{url}'",
          file=sys.stderr)


@contextlib.contextmanager
def _storage_hidden() -> Iterator[None]:
    """The kernel started meanwhile does not see the storage: this process moves its folders."""
    saved = {k: os.environ.pop(k) for k in (remote.STORAGE, remote.COPIES) if k in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)
