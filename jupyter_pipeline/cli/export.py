"""`nb2pipe export --to airflow|kfp`: the pipeline as an Airflow DAG or a Kubeflow Pipelines
pipeline, handoffs optionally in storage."""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.text import Text

from .. import api
from ..export.airflow_dag import DEFAULT_RETRIES, DEFAULT_RETRY_DELAY, DEFAULT_TIMEOUT
from .options import add_by_headings


def _whole(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number (0 or more)")
    return value


def add_engine_options(cmd: argparse.ArgumentParser, to_required: bool = True) -> None:
    """The options of a pipeline sent to an engine (export, and sweep --to)."""
    cmd.add_argument("--storage", metavar="URL",
                     help="where tasks hand values and files to each other, so they can run on "
                          "different machines: an fsspec URL (s3://bucket/prefix, gs://..., "
                          "file:///shared/folder) or an absolute folder (default: the project "
                          "folder, one machine)")
    cmd.add_argument("--retries", type=_whole, default=DEFAULT_RETRIES, metavar="N",
                     help="Airflow: times a failed task is tried again (default "
                          f"{DEFAULT_RETRIES})")
    cmd.add_argument("--retry-delay", type=_whole, default=DEFAULT_RETRY_DELAY,
                     metavar="SECONDS",
                     help=f"Airflow: wait before a retry (default {DEFAULT_RETRY_DELAY})")
    cmd.add_argument("--timeout", type=_whole, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                     help="Airflow: a task running longer fails (default 0: no limit)")
    cmd.add_argument("--force", action="store_true",
                     help="overwrite generated files edited by hand")


def add_export(sub: argparse._SubParsersAction) -> None:
    e = sub.add_parser("export", help="write the pipeline for another engine (Airflow, KFP)")
    e.add_argument("--to", required=True, choices=["airflow", "kfp"],
                   help="the engine: an Airflow DAG in dags/, a Kubeflow Pipelines (v2) "
                        "pipeline in kfp/")
    e.add_argument("target", nargs="?", default=".", metavar="NB|DIR",
                   help="a notebook (converted first) or a folder with dvc.yaml (default: here)")
    e.add_argument("-o", "--output", metavar="DIR",
                   help="with a notebook: folder for dvc.yaml (default: the notebook's folder)")
    add_engine_options(e)
    e.add_argument("--kernel", metavar="NAME", help="with a notebook: the stages' Jupyter kernel")
    add_by_headings(e)
    e.set_defaults(handler=export)


def export(args: argparse.Namespace, out: Console) -> int:
    result = api.export_engine(
        args.target, args.to, out_dir=args.output, storage=args.storage, retries=args.retries,
        retry_delay=args.retry_delay, timeout=args.timeout, force=args.force,
        by_headings=args.by_headings, kernel=args.kernel)
    print_exported(result, args.to, out)
    return 0


def print_exported(result, engine: str, out: Console) -> None:  # noqa: ANN001 - api's Exported
    converted = result.converted
    if converted is not None and converted.written:
        out.print(f"converted: wrote {len(converted.written)} file(s) in "
                  f"'{converted.out_dir}'", markup=False)
    for path in result.written:
        out.print(f"wrote {path}", markup=False)
    if not result.written:
        out.print(f"'{result.out_dir}' is up to date: nothing to write", markup=False)
    for warning in result.warnings:
        out.print(Text("warning", style="yellow"), warning)
    for dag, path in result.dags:
        where = result.out_dir / path
        if engine == "airflow":
            out.print(f"DAG '{dag}' in '{where}'. Try it: AIRFLOW__CORE__DAGS_FOLDER="
                      f"{where.parent.resolve()} airflow dags test {dag}", markup=False)
        else:
            out.print(f"pipeline '{dag}' in '{where}'. Compile it with the kfp SDK: python "
                      f"{where}", markup=False)
