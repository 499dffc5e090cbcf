"""What convert never touches: nothing outside the pipeline's folder (however a symlink on the
way leads), nothing half-written on a full disk, no file with a mode the user did not choose."""

from __future__ import annotations

import errno
import os
import stat

import pytest

from jupyter_pipeline import api, files
from jupyter_pipeline.runtime import atomic
from jupyter_pipeline.errors import OutputError

from .helpers import assert_refused, nb2pipe, ok, snapshot, write_nb

CELLS = [("parameters", "n = 3"), ("stage:make", "numbers = list(range(n))"),
         ("stage:total", "total = sum(numbers)")]


@pytest.fixture
def outside(tmp_path):
    folder = tmp_path / "outside"
    folder.mkdir()
    return folder


def test_a_pipelines_folder_that_links_outside_is_not_written_through(tmp_path, outside):
    project = tmp_path / "project"
    write_nb(project, CELLS)
    (project / "pipelines").symlink_to(outside, target_is_directory=True)
    before = snapshot(project)
    proc = nb2pipe("convert", "nb.ipynb", cwd=project)
    assert_refused(proc, "leads outside", "through a symbolic link", str(outside))
    assert list(outside.iterdir()) == [], "nothing may be written outside the project"
    assert snapshot(project) == before


def test_a_link_deeper_on_the_way_is_refused_too(tmp_path, outside):
    project = tmp_path / "project"
    write_nb(project, CELLS)
    (project / "pipelines").mkdir()
    (project / "pipelines" / "nb").symlink_to(outside, target_is_directory=True)
    assert_refused(nb2pipe("convert", "nb.ipynb", cwd=project), "leads outside")
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize("name", ["dvc.yaml", "params.yaml"])
def test_a_dvc_or_params_file_that_links_outside_is_neither_read_nor_replaced(tmp_path, outside,
                                                                              name):
    project = tmp_path / "project"
    write_nb(project, CELLS)
    secret = outside / name
    secret.write_text("stages: {}\n" if name == "dvc.yaml" else "token: s3cr3t\n")
    (project / name).symlink_to(secret)
    proc = nb2pipe("convert", "nb.ipynb", cwd=project)
    assert_refused(proc, f"'{name}' leads outside", "replace the link by a real file")
    assert not (project / "pipelines").exists()
    assert (project / name).is_symlink() and "s3cr3t" not in "".join(
        p.read_text() for p in project.rglob("*") if p.is_file() and not p.is_symlink())


def test_a_link_inside_the_project_is_fine(tmp_path):
    project = tmp_path / "project"
    write_nb(project, CELLS)
    (project / "real").mkdir()
    (project / "pipelines").symlink_to(project / "real", target_is_directory=True)
    ok("convert", "nb.ipynb", cwd=project)
    assert (project / "real" / "nb" / "make.ipynb").is_file()


def test_generated_files_follow_the_umask_and_a_replaced_file_keeps_its_mode(tmp_path):
    project = tmp_path / "project"
    write_nb(project, CELLS)
    (project / "dvc.yaml").write_text("stages: {}\n")
    os.chmod(project / "dvc.yaml", 0o640)
    old = os.umask(0o022)
    try:
        api.convert(project / "nb.ipynb")
    finally:
        os.umask(old)
    assert stat.S_IMODE((project / "dvc.yaml").stat().st_mode) == 0o640
    for name in ("params.yaml", "pipelines/nb/make.ipynb", "pipelines/nb/manifest.json"):
        assert stat.S_IMODE((project / name).stat().st_mode) == 0o644, name


@pytest.mark.parametrize("failing", ["write", "fsync"])
def test_a_full_disk_leaves_everything_as_it_was(tmp_path, monkeypatch, failing):
    """The disk fills up after some files are staged (a write, or only the fsync, reports
    ENOSPC): no temporary file, no folder nb2pipe created, no file changed."""
    project = tmp_path / "project"
    write_nb(project, CELLS)
    (project / "dvc.yaml").write_text("# mine\nstages: {}\n")
    before = snapshot(project)
    calls = {"n": 0}
    real = atomic.write_all if failing == "write" else os.fsync

    def fill_up(*args):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(*args)

    if failing == "write":
        monkeypatch.setattr(atomic, "write_all", fill_up)
    else:
        monkeypatch.setattr(files.os, "fsync", fill_up)
    with pytest.raises(OutputError, match="the disk is full") as refused:
        api.convert(project / "nb.ipynb")
    assert "Nothing was written" in str(refused.value)
    assert snapshot(project) == before


def test_write_atomic_leaves_no_temporary_file_when_the_write_fails(tmp_path, monkeypatch):
    target = tmp_path / "nb.ipynb"
    target.write_text("old")

    def full(fd, data):
        os.write(fd, data[:3])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic, "write_all", full)
    with pytest.raises(OSError):
        files.write_atomic(target, "new content")
    assert [p.name for p in tmp_path.iterdir()] == ["nb.ipynb"]
    assert target.read_text() == "old"
