"""Handoff folders in remote storage, so that the stages of one run can run on different machines.

Off unless the environment names a storage URL (NB2PIPE_STORAGE, an fsspec URL such as
`s3://bucket/prefix` or a folder every worker mounts): an engine's task sets it (the Airflow DAG
nb2pipe exports does), `nb2pipe run` and `dvc repro` do not, so their handoffs stay in the
project folder exactly as before. A handoff folder `pipelines/wine/data/prepare` of the project
becomes `<storage>/pipelines/wine/data/prepare`: its path relative to the project root
(NB2PIPE_PROJECT_ROOT, else the folder the stage started in).

A stage saves into a local scratch folder as always, then uploads it (index.json last, so a
reader never sees an index naming files not there yet); a stage that loads downloads the folder
once into a local mirror and reads it there as always. fsspec (and s3fs, gcsfs, ...) is imported
only here, only when a URL is set.

An exported engine task moves whole outputs instead (`nb2pipe exec-stage --pull/--push`, pull
and push here): before the stage runs, each folder or file an earlier stage wrote that it reads
(handoff folders, the notebook's own files) is downloaded from the storage to its place in the
project; after it ran, each it writes (its handoff folder, files, executed notebook, metrics)
is uploaded to `<storage>/<its path>`. Its kernel then is not given the storage and works on
local folders (runner/stage_task.py); the load and save steps above serve a stage run with
NB2PIPE_STORAGE alone (a DAG exported before the tasks moved their files).
"""

from __future__ import annotations

import atexit
import os
import posixpath
import shutil
import tempfile
from dataclasses import dataclass
from typing import Any, Iterator

STORAGE = "NB2PIPE_STORAGE"
# A JSON list of more storage URLs that get a copy of everything the stage saves and pushes: a
# sweep's stage that no swept value changes runs once, for every combination's folder.
COPIES = "NB2PIPE_STORAGE_COPIES"
PROJECT_ROOT = "NB2PIPE_PROJECT_ROOT"
INDEX = "index.json"

_mirrors: dict[str, str] = {}  # url -> local folder holding its files (this process)


class StorageError(Exception):
    """The storage cannot be reached or used; the message says what to do."""


def url_of(folder: str, start: str | None) -> str | None:
    """The storage URL of the absolute-or-start-relative handoff `folder`, or None: local."""
    storage = os.environ.get(STORAGE, "").strip()
    if not storage:
        return None
    root = os.environ.get(PROJECT_ROOT) or start or os.getcwd()
    path = os.path.relpath(os.path.abspath(folder), os.path.abspath(root))
    if path == os.pardir or path.startswith(os.pardir + os.sep):
        raise StorageError(
            f"the handoff folder '{folder}' is outside the project root '{root}' "
            f"({PROJECT_ROOT}), so it has no place in the storage '{storage}': set "
            f"{PROJECT_ROOT} to the folder of dvc.yaml")
    return storage.rstrip("/") + "/" + path.replace(os.sep, "/")


def _with_copies(url: str) -> list[str]:
    """`url` (under NB2PIPE_STORAGE), then the same place under each storage of COPIES."""
    raw = os.environ.get(COPIES, "").strip()
    if not raw:
        return [url]
    import json

    try:
        copies = json.loads(raw)
    except ValueError:
        copies = None
    if not isinstance(copies, list) or not all(isinstance(c, str) for c in copies):
        raise StorageError(f"{COPIES} is not a JSON list of storage URLs: {raw!r}")
    inside = url[len(os.environ[STORAGE].strip().rstrip("/")):]
    return [url, *(c.rstrip("/") + inside for c in copies)]


def _filesystem(url: str) -> tuple[Any, str]:
    try:
        import fsspec
    except ImportError:
        raise StorageError(
            f"handoffs go to '{url}' ({STORAGE}), and fsspec is not installed in this "
            "environment: pip install 'nb2pipe[storage]' on every worker") from None
    try:
        return fsspec.core.url_to_fs(url)
    except (ImportError, ValueError) as exc:  # e.g. s3:// without s3fs: fsspec names it
        raise StorageError(f"'{url}' ({STORAGE}) cannot be opened here: {exc}") from None


def upload(local: str, url: str) -> None:
    """Every file of the local folder `local` to `url` (and its copies), the index last."""
    names = sorted(os.listdir(local), key=lambda n: (n == INDEX, n))
    for target in _with_copies(url):
        fs, path = _filesystem(target)
        try:
            fs.makedirs(path, exist_ok=True)
            for name in names:
                fs.put_file(os.path.join(local, name), posixpath.join(path, name))
        except OSError as exc:
            raise StorageError(f"cannot write the handoffs to '{target}': {exc}. Check the "
                               "URL and the storage credentials of this worker") from None


def _local(path: str, start: str | None) -> tuple[str, str]:
    """(absolute path, project root) of a path the stage names relative to its folder."""
    here = start or os.getcwd()
    return (os.path.abspath(os.path.join(here, path)),
            os.path.abspath(os.environ.get(PROJECT_ROOT) or here))


def _need_storage(option: str) -> str:
    if not os.environ.get(STORAGE, "").strip():
        raise StorageError(f"{option} moves a file through the storage {STORAGE} names, and "
                           f"{STORAGE} is not set: set it to the storage URL the pipeline's "
                           "other tasks use (the exported DAG's tasks set it)")
    return os.environ[STORAGE]


@dataclass(frozen=True)
class _Transfer:
    path: str  # as the user's dvc.yaml names it
    local: str  # absolute, here
    root: str  # the repository it is inside
    url: str  # its place in the storage


def _transfers(paths: list[str], start: str | None, option: str) -> Iterator[_Transfer]:
    """Each of `paths` with its local and storage places; the storage must be set when there
    is anything to move."""
    if paths:
        _need_storage(option)
    for path in paths:
        local, root = _local(path, start)
        url = url_of(local, start)
        assert url is not None  # the storage is set
        yield _Transfer(path, local, root, url)


def pull(paths: list[str], start: str | None = None) -> None:
    """Download each of `paths` (relative to `start`, default the cwd), a file or a folder an
    earlier stage of this run wrote, from the storage to its place here. What is there already
    is replaced: the storage holds this run's version."""
    from . import atomic

    for move in _transfers(paths, start, "--pull"):
        path, local, root, url = move.path, move.local, move.root, move.url
        fs, remote_path = _filesystem(url)
        try:
            if not fs.exists(remote_path):
                raise StorageError(
                    f"'{path}' is not in the storage ('{url}'): the stage that writes it has "
                    "not run in this run, or did not upload it. Run the pipeline's earlier "
                    "tasks first")
            atomic.make_folders(os.path.dirname(local), root)
            if fs.isdir(remote_path):
                atomic.remove(local, root)
                fs.get(remote_path.rstrip("/") + "/", local, recursive=True)
            else:
                with atomic.temporary_beside(local, root) as (f, tmp):
                    f.write(fs.cat_file(remote_path))
                atomic.replace(tmp, local, root)
        except OSError as exc:
            raise StorageError(f"cannot download '{path}' from '{url}': {exc}. Check the URL "
                               "and the storage credentials of this worker") from None


def _files_of(folder: str) -> list[str]:
    """Every file in `folder` (POSIX paths relative to it), sorted, a handoff index last: a
    reader that finds the index finds every file it names."""
    found = [os.path.relpath(os.path.join(top, name), folder).replace(os.sep, "/")
             for top, _, names in os.walk(folder) for name in names]
    return sorted(found, key=lambda rel: (rel == INDEX, rel))


def push(paths: list[str], start: str | None = None) -> None:
    """Upload each of `paths` (relative to `start`, default the cwd), a file or a folder this
    stage wrote, to the storage, for the later stages and for whoever reads the run's results."""
    for move in _transfers(paths, start, "--push"):
        path, local, url = move.path, move.local, move.url
        if not os.path.exists(local):
            raise StorageError(f"the stage did not write '{path}', which dvc.yaml lists as its "
                               "output: convert the notebook again if it no longer writes it")
        inside = _files_of(local) if os.path.isdir(local) else [""]
        for target in _with_copies(url):
            fs, remote_path = _filesystem(target)
            try:
                for rel in inside:
                    there = posixpath.join(remote_path, rel) if rel else remote_path
                    fs.makedirs(posixpath.dirname(there), exist_ok=True)
                    fs.put_file(os.path.join(local, rel) if rel else local, there)
            except OSError as exc:
                raise StorageError(f"cannot upload '{path}' to '{target}': {exc}. Check the "
                                   "URL and the storage credentials of this worker") from None


def fetch(url: str) -> str | None:
    """A local folder with the files of `url` (downloaded once per process), or None when
    `url` holds no saved values (no index)."""
    if url in _mirrors:
        return _mirrors[url]
    import json

    fs, path = _filesystem(url)
    local = tempfile.mkdtemp(prefix="nb2pipe-handoff-")
    atexit.register(shutil.rmtree, local, True)
    try:
        try:
            fs.get_file(posixpath.join(path, INDEX), os.path.join(local, INDEX))
        except FileNotFoundError:
            return None
        with open(os.path.join(local, INDEX), encoding="utf-8") as f:
            entries = json.load(f)
        for file in sorted({e["file"] for e in entries.values() if "file" in e}):
            fs.get_file(posixpath.join(path, file), os.path.join(local, file))
    except OSError as exc:
        raise StorageError(f"cannot read the handoffs in '{url}': {exc}. Check the URL and "
                           "the storage credentials of this worker") from None
    _mirrors[url] = local
    return local
