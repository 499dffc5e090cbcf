"""The one atomic write (runtime/atomic.py) every file nb2pipe writes goes through: a killed or
failing write leaves the old file whole, a full disk leaves no temporary file, modes follow the
umask or the replaced file, and nothing is written or deleted through a link to outside."""

from __future__ import annotations

import errno
import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from jupyter_pipeline.runtime import atomic, handoff

OLD = "schema: '2.0'\nstages: {}\n"


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".nb2pipe-"))


def _python(code: str, cwd: Path, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def test_a_write_killed_half_way_leaves_the_old_file_whole(tmp_path):
    target = tmp_path / "dvc.lock"
    target.write_text(OLD)
    writer = _python(f"""
        import sys, time
        from jupyter_pipeline.runtime import atomic
        with atomic.atomic_file({str(target)!r}, {str(tmp_path)!r}) as f:
            f.write(b"stages:\\n  half: ")
            f.flush()
            print("writing", flush=True)
            time.sleep(60)
            f.write(b"never\\n")
        """, tmp_path)
    assert writer.stdout.readline().strip() == "writing"
    writer.send_signal(signal.SIGKILL)
    writer.wait(10)
    assert target.read_text() == OLD
    # The half-written content is only in the temporary file (a killed process cannot remove
    # it; its name says it is nb2pipe's and can go).
    assert [p.read_bytes() for p in tmp_path.glob(".nb2pipe-*.tmp")] == [b"stages:\n  half: "]


def test_a_full_disk_raises_and_leaves_the_old_file_and_no_temporary_file(tmp_path):
    """RLIMIT_FSIZE makes the kernel refuse a write past the limit (EFBIG), as a full disk
    refuses one (ENOSPC): the same path through the code, without filling a disk."""
    target = tmp_path / "index.json"
    target.write_text('{"old": 1}')
    writer = _python(f"""
        import resource, signal
        from jupyter_pipeline.runtime import atomic
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
        try:
            atomic.write_file({str(target)!r}, b"x" * 100_000, {str(tmp_path)!r})
        except OSError as exc:
            print("refused", exc.errno)
        """, tmp_path)
    out, err = writer.communicate(timeout=60)
    assert out.split() == ["refused", str(errno.EFBIG)], err
    assert target.read_text() == '{"old": 1}'
    assert _leftovers(tmp_path) == []


def test_a_failure_at_fsync_leaves_no_temporary_file(tmp_path, monkeypatch):
    target = tmp_path / "dvc.lock"
    target.write_text(OLD)

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(atomic.os, "fsync", full)
    with pytest.raises(OSError) as caught:
        atomic.write_file(target, "stages: {new: 1}\n", tmp_path)
    assert caught.value.errno == errno.ENOSPC
    assert target.read_text() == OLD and _leftovers(tmp_path) == []


def test_new_files_follow_the_umask_and_a_replaced_file_keeps_its_mode(tmp_path):
    old = os.umask(0o027)
    try:
        atomic.write_file(tmp_path / "new.json", "{}", tmp_path)
        kept = tmp_path / "kept.yaml"
        kept.write_text("a: 1\n")
        os.chmod(kept, 0o600)
        atomic.write_file(kept, "a: 2\n", tmp_path)
        atomic.write_file(tmp_path / "object", b"data", tmp_path, mode=0o444)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o640
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600 and kept.read_text() == "a: 2\n"
    assert stat.S_IMODE((tmp_path / "object").stat().st_mode) == 0o444


@pytest.fixture()
def outside(tmp_path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "thesis.txt").write_text("years of work\n")
    return folder


def test_nothing_is_written_or_deleted_through_a_link_to_outside(tmp_path, outside):
    project = tmp_path / "project"
    project.mkdir()
    (project / "data").symlink_to(outside, target_is_directory=True)
    (project / "notes.txt").symlink_to(outside / "thesis.txt")
    for write in (lambda: atomic.write_file(project / "data" / "x.json", "{}", project),
                  lambda: atomic.write_file(project / "notes.txt", "gone", project),
                  lambda: atomic.make_folders(project / "data" / "sub", project),
                  lambda: atomic.remove(project / "data" / "thesis.txt", project)):
        with pytest.raises(atomic.LeadsOutside, match="leads outside"):
            write()
    assert sorted(p.name for p in outside.iterdir()) == ["thesis.txt"]
    assert (outside / "thesis.txt").read_text() == "years of work\n"
    atomic.remove(project / "data", project)  # the link itself is the project's: it goes
    assert not (project / "data").exists() and (outside / "thesis.txt").exists()


def test_a_link_inside_the_root_is_written_through(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "data").symlink_to(tmp_path / "real", target_is_directory=True)
    atomic.write_file(tmp_path / "data" / "x.json", "{}", tmp_path)
    assert (tmp_path / "real" / "x.json").read_text() == "{}"


def test_a_folder_removed_is_removed_with_its_links_never_what_they_lead_to(tmp_path, outside):
    out = tmp_path / "out"
    (out / "deep").mkdir(parents=True)
    (out / "deep" / "link").symlink_to(outside, target_is_directory=True)
    (out / "file").write_text("x")
    atomic.remove(out, tmp_path)
    assert not out.exists() and (outside / "thesis.txt").read_text() == "years of work\n"


def test_a_stages_handoff_through_a_link_it_made_to_outside_is_refused(tmp_path, outside,
                                                                       monkeypatch):
    """The handoff folder as generated code names it, relative to where the stage started; the
    stage (a cell) made a folder on the way a link to outside."""
    project = tmp_path / "project"
    (project / ".dvc").mkdir(parents=True)
    monkeypatch.chdir(project)
    handoff.start_here()
    (project / "pipelines").symlink_to(outside, target_is_directory=True)
    try:
        with pytest.raises(atomic.LeadsOutside, match="project/pipelines/nb/data/make' leads outside"):
            handoff.save("pipelines/nb/data/make", {"rows": [1, 2], "n": 3}, "make")
        with pytest.raises(atomic.LeadsOutside):
            handoff.save_metrics("pipelines/nb/metrics/make.json", {"n": 3})
    finally:
        handoff._START = None
    assert sorted(p.name for p in outside.iterdir()) == ["thesis.txt"]


def test_a_handoff_killed_while_saving_keeps_the_values_saved_before(tmp_path):
    """A second save of a stage's values killed mid-way: the index and every value file a later
    stage reads are the first save's, whole."""
    (tmp_path / ".dvc").mkdir()
    first = _python("""
        from jupyter_pipeline.runtime import handoff
        handoff.start_here()
        handoff.save("data/make", {"rows": list(range(100))}, "make")
        """, tmp_path)
    assert first.wait(60) == 0, first.stderr.read()
    before = {p.name: p.read_bytes() for p in (tmp_path / "data" / "make").iterdir()}
    second = _python("""
        import time
        from jupyter_pipeline.runtime import atomic, handoff
        real = atomic.write_all
        def slow(fd, data):
            real(fd, data[: len(data) // 2])
            print("half", flush=True)
            time.sleep(60)
        atomic.write_all = slow
        handoff.start_here()
        handoff.save("data/make", {"rows": list(range(100_000))}, "make")
        """, tmp_path)
    assert second.stdout.readline().strip() == "half"
    second.send_signal(signal.SIGKILL)
    second.wait(10)
    after = {p.name: p.read_bytes() for p in (tmp_path / "data" / "make").iterdir()
             if not p.name.startswith(".nb2pipe-")}
    assert after == before  # (the killed writer's temporary file stays: nothing could remove it)
