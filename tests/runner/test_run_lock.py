"""The run lock's parts that real-process tests do not reach: the lock used when DVC is not
installed, and who the refusal names."""

from __future__ import annotations

import json
import os

import pytest

from jupyter_pipeline.runner import run_lock
from jupyter_pipeline.runner.run_lock import RunRefused, exclusive_run


def test_without_dvc_installed_an_flock_like_dvc_s_excludes_a_second_holder(tmp_path,
                                                                           monkeypatch):
    monkeypatch.setattr(run_lock, "_RETRIES", 0)
    first, second = run_lock._FlockLock(tmp_path / "lock"), run_lock._FlockLock(tmp_path / "lock")
    first.lock()
    assert (tmp_path / "lock").read_text() == f" {os.getpid()}\n"  # zc.lockfile's content
    with pytest.raises(run_lock._Busy):
        second.lock()
    first.unlock()
    second.lock()
    second.unlock()


def test_the_refusal_names_the_nb2pipe_run_or_else_the_dvc_process(tmp_path):
    folder = tmp_path / ".dvc" / "tmp"
    folder.mkdir(parents=True)
    (folder / "lock").write_text(" 4242\n")
    (folder / "nb2pipe-run.json").write_text(json.dumps(
        {"pid": 4242, "since": "2026-12-01 11:00:00 UTC", "command": "nb2pipe run -j 2"}))
    text = run_lock._refusal(run_lock._holder(folder), folder)
    assert text.startswith("another nb2pipe run is going in this repository (pid 4242, since "
                           "2026-12-01 11:00:00 UTC: nb2pipe run -j 2)")
    assert "kill 4242" in text
    (folder / "lock").write_text(" 977\n")  # the note is stale: a DVC command holds the lock
    text = run_lock._refusal(run_lock._holder(folder), folder)
    assert text.startswith("a DVC command holds the repository lock") and "pid 977" in text


def test_the_lock_is_let_go_when_the_run_raises(tmp_path):
    (tmp_path / ".dvc").mkdir()
    with pytest.raises(ValueError), exclusive_run(tmp_path):
        raise ValueError("a stage's bookkeeping failed")
    assert not (tmp_path / ".dvc" / "tmp" / "nb2pipe-run.json").exists()
    with exclusive_run(tmp_path):
        with pytest.raises(RunRefused):
            with exclusive_run(tmp_path):
                pass
