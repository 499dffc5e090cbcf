"""What a stage does while it runs cannot lead nb2pipe outside the repository: outputs are
checked before a run (test_boundary.py) and again at each of nb2pipe's own reads, writes and
deletions after it (hashing, the DVC cache, .gitignore, dvc.lock, the handoffs). Real runs: shell
stages through the runner, a notebook stage on a real kernel through `nb2pipe run`; and a real
full disk (a tiny tmpfs) under dvc.lock."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from jupyter_pipeline.runner.run import execute
from tests.integration import harness
from tests.nbbuild import notebook

THESIS = "years of work\n"


@pytest.fixture()
def layout(tmp_path) -> tuple[Path, Path]:
    """(repository, victim): a git + DVC repository (folders mark them, as DVC and git find
    them) and a folder beside it holding a file the user cares about."""
    victim = tmp_path / "outside" / "victim_dir"
    victim.mkdir(parents=True)
    (victim / "thesis.txt").write_text(THESIS)
    repo = tmp_path / "repo"
    (repo / ".dvc").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    return repo, victim


def _untouched(victim: Path) -> None:
    assert sorted(p.name for p in victim.iterdir()) == ["thesis.txt"], list(victim.iterdir())
    assert (victim / "thesis.txt").read_text() == THESIS


def _cached_contents(repo: Path) -> list[bytes]:
    return [p.read_bytes() for p in (repo / ".dvc" / "cache").rglob("*") if p.is_file()]


def _failed(result, stage: str) -> str:
    assert result.failed == [stage], result.events
    return next(e for e in result.events if e.stage == stage and e.state == "failed").detail


def _lock(repo: Path) -> dict:
    from ruamel.yaml import YAML

    path = repo / "dvc.lock"
    return (YAML(typ="safe").load(path.read_text()) or {}).get("stages", {}) \
        if path.exists() else {}


def test_an_out_the_stage_turned_into_a_link_to_outside_is_not_hashed_cached_or_recorded(
        layout):
    repo, victim = layout
    (repo / "dvc.yaml").write_text(
        f"stages:\n  grab:\n    cmd: ln -s {victim} data\n    outs:\n    - data\n")
    detail = _failed(execute(repo), "grab")
    assert "'data'" in detail and "leads outside the repository" in detail, detail
    assert "did not hash, cache or record" in detail, detail
    _untouched(victim)
    assert THESIS.encode() not in _cached_contents(repo)
    assert "grab" not in _lock(repo)


def test_a_link_to_outside_inside_an_output_folder_is_not_read_into_the_cache(layout):
    repo, victim = layout
    (repo / "dvc.yaml").write_text(
        "stages:\n  grab:\n"
        f"    cmd: mkdir data && echo mine > data/own.txt && ln -s {victim}/thesis.txt "
        "data/notes.txt\n    outs:\n    - data\n")
    detail = _failed(execute(repo), "grab")
    assert "data/notes.txt' leads outside" in detail, detail
    _untouched(victim)
    assert THESIS.encode() not in _cached_contents(repo)
    assert "grab" not in _lock(repo)


def test_no_gitignore_is_written_through_a_folder_the_stage_made_a_link(layout):
    """The stage's own command wrote through its link (nb2pipe cannot stop a command); nb2pipe
    itself writes nothing there: no `.gitignore` beside the victim, no lock entry."""
    repo, victim = layout
    (repo / "dvc.yaml").write_text(
        "stages:\n  grab:\n"
        f"    cmd: ln -s {victim.parent} results && echo new > results/victim_dir/new.txt\n"
        "    outs:\n    - results/victim_dir/new.txt\n")
    detail = _failed(execute(repo), "grab")
    assert "'results/victim_dir/new.txt'" in detail and "outside the repository" in detail
    assert not (victim / ".gitignore").exists()
    assert "grab" not in _lock(repo)


@pytest.mark.integration
def test_a_notebook_stage_that_links_its_handoff_folder_outside_stops_with_a_message(
        tmp_path):
    """A real kernel: the stage's cell makes the folder its values go to a link to outside;
    the values are not written there, the run stops naming the stage and the link."""
    victim = tmp_path / "outside"
    victim.mkdir()
    folder = tmp_path / "p"
    folder.mkdir()
    cells = [("stage:make", "import os\nrows = [1, 2, 3]\n"
                            f"os.symlink({str(victim)!r}, 'pipelines/nb/data')"),
             ("stage:report", "print(sum(rows))")]
    (folder / "nb.ipynb").write_text(json.dumps(notebook(cells)), encoding="utf-8")
    harness.make_repo(folder)
    harness.run([str(harness.BIN / "nb2pipe"), "convert", "nb.ipynb"], folder)
    proc = harness.run([str(harness.BIN / "nb2pipe"), "run"], folder, check=False)
    said = proc.stdout + proc.stderr
    assert proc.returncode == 1, said
    assert "make" in said and "LeadsOutside" in said and "leads outside" in said, said
    assert list(victim.iterdir()) == [], "nothing may be written outside the repository"


@pytest.fixture()
def tiny_disk(tmp_path):
    """A 2 MB tmpfs: a real full disk. Mounting needs root (CAP_SYS_ADMIN)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
                          capture_output=True)
    if made.returncode != 0:
        pytest.skip("a tmpfs cannot be mounted here (needs root); test_atomic.py covers a "
                    "refused write with RLIMIT_FSIZE")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_when_recording_a_stage_says_so_and_keeps_dvc_lock_whole(tiny_disk):
    repo = tiny_disk / "repo"
    repo.mkdir()
    (repo / "dvc.yaml").write_text(
        "stages:\n"
        "  first:\n    cmd: echo one > one.txt\n    outs:\n    - one.txt\n"
        # Fills the disk the first time only (the flag file says it did).
        "  second:\n    cmd: echo two > two.txt && (test -e ../filled || (touch ../filled; "
        "head -c 4000000 /dev/zero > ../fill); true)\n    deps:\n    - one.txt\n    outs:\n    - two.txt\n")
    assert execute(repo, ["first"]).ok
    before = (repo / "dvc.lock").read_bytes()
    detail = _failed(execute(repo), "second")
    assert "the disk is full" in detail and "dvc.lock is as it was" in detail, detail
    assert (repo / "dvc.lock").read_bytes() == before
    assert [p for p in tiny_disk.rglob(".nb2pipe-*")] == []
    os.remove(tiny_disk / "fill")
    assert execute(repo).ok and set(_lock(repo)) == {"first", "second"}
