"""A task's files through the storage (runtime/remote.py's pull and push), with a storage folder
(file://) instead of S3: files and folders land at their project path in the storage, come back
whole on another worker, replace a stale local copy, and a missing one is named."""

from __future__ import annotations

import pytest

from jupyter_pipeline.runtime import remote


@pytest.fixture
def storage(tmp_path, monkeypatch):
    monkeypatch.setenv(remote.STORAGE, (tmp_path / "storage").as_uri() + "/run-1")
    return tmp_path / "storage" / "run-1"


def _worker(tmp_path, name, monkeypatch):
    root = tmp_path / name
    (root / "nb").mkdir(parents=True)
    monkeypatch.setenv(remote.PROJECT_ROOT, str(root))
    return root


def test_files_and_folders_cross_from_one_worker_to_another(tmp_path, storage, monkeypatch):
    first = _worker(tmp_path, "worker-1", monkeypatch)
    (first / "reports").mkdir()
    (first / "reports" / "scores.json").write_text('{"score": 1}')
    (first / "models" / "deep").mkdir(parents=True)
    (first / "models" / "a.pkl").write_bytes(b"\x80a")
    (first / "models" / "deep" / "b.pkl").write_bytes(b"\x80b")
    # Paths as the stage names them, from its working directory (the notebook's folder).
    remote.push(["../reports/scores.json", "../models"], start=str(first / "nb"))
    assert (storage / "reports" / "scores.json").read_text() == '{"score": 1}'
    assert (storage / "models" / "deep" / "b.pkl").read_bytes() == b"\x80b"

    second = _worker(tmp_path, "worker-2", monkeypatch)
    (second / "models").mkdir()
    (second / "models" / "stale.pkl").write_bytes(b"old")
    (second / "reports").mkdir()
    (second / "reports" / "scores.json").write_text("stale")
    remote.pull(["../reports/scores.json", "../models"], start=str(second / "nb"))
    assert (second / "reports" / "scores.json").read_text() == '{"score": 1}'
    assert sorted(p.relative_to(second / "models").as_posix()
                  for p in (second / "models").rglob("*") if p.is_file()) == [
        "a.pkl", "deep/b.pkl"]  # the run's folder, not what this worker had


def test_what_is_missing_is_named_with_what_to_do(tmp_path, storage, monkeypatch):
    root = _worker(tmp_path, "worker", monkeypatch)
    with pytest.raises(remote.StorageError, match="'reports/x.json' is not in the storage"):
        remote.pull(["reports/x.json"], start=str(root))
    with pytest.raises(remote.StorageError, match="the stage did not write 'reports/x.json'"):
        remote.push(["reports/x.json"], start=str(root))
    monkeypatch.delenv(remote.STORAGE)
    with pytest.raises(remote.StorageError, match="NB2PIPE_STORAGE is not set"):
        remote.pull(["reports/x.json"], start=str(root))
    remote.pull([], start=str(root))  # nothing to move: no storage needed
