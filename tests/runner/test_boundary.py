"""The runner never deletes or writes outside the repository, whatever dvc.yaml says its outs
are. Real files and real shell stages; a folder beside the repository plays the victim."""

from __future__ import annotations

from pathlib import Path

import pytest

from jupyter_pipeline.runner.run import execute
from jupyter_pipeline.runner.spec import PipelineError


@pytest.fixture()
def layout(tmp_path) -> tuple[Path, Path]:
    """(repository, victim): a repository (a `.dvc` folder marks it, as DVC finds it) and a
    folder outside it holding a file the user cares about."""
    victim = tmp_path / "outside" / "victim_dir"
    victim.mkdir(parents=True)
    (victim / "thesis.txt").write_text("years of work\n")
    repo = tmp_path / "repo"
    (repo / ".dvc").mkdir(parents=True)
    return repo, victim


def _pipeline(folder: Path, out: str, cmd: str = "echo ran > marker.txt") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "dvc.yaml").write_text(f"stages:\n  grab:\n    cmd: {cmd}\n    outs:\n    - {out}\n")


def _survived(victim: Path) -> bool:
    return (victim / "thesis.txt").read_text() == "years of work\n"


def _refused(folder: Path, *texts: str) -> None:
    with pytest.raises(PipelineError) as caught:
        execute(folder)
    for text in texts:
        assert text in str(caught.value), str(caught.value)
    assert not (folder / "marker.txt").exists(), "the stage ran"
    assert not (folder / "dvc.lock").exists()


def test_a_dotdot_out_leading_outside_the_repository_is_refused_and_kept(layout):
    repo, victim = layout
    folder = repo / "sub"
    _pipeline(folder, "../../outside/victim_dir")
    _refused(folder, "stage 'grab'", "'../../outside/victim_dir'", "outside the repository")
    assert _survived(victim)


def test_an_absolute_out_is_refused_and_kept(layout):
    repo, victim = layout
    _pipeline(repo, str(victim))
    _refused(repo, "stage 'grab'", str(victim), "absolute path")
    assert _survived(victim)


def test_an_out_through_a_symlinked_folder_leading_outside_is_refused_and_kept(layout):
    repo, victim = layout
    (repo / "link").symlink_to(victim.parent, target_is_directory=True)
    _pipeline(repo, "link/victim_dir")
    _refused(repo, "stage 'grab'", "'link/victim_dir'", "outside the repository")
    assert _survived(victim)


def test_an_out_that_is_a_symlink_leading_outside_is_refused_and_kept(layout):
    repo, victim = layout
    (repo / "data").symlink_to(victim, target_is_directory=True)
    _pipeline(repo, "data")
    _refused(repo, "stage 'grab'", "'data'", "outside the repository")
    assert _survived(victim)
    assert (repo / "data").is_symlink()


def test_a_symlink_made_by_an_earlier_stage_of_the_same_run_is_caught_before_deleting(layout):
    """At planning the path is plain; the first stage then makes a folder on it a symlink."""
    repo, victim = layout
    (repo / "dvc.yaml").write_text(
        "stages:\n"
        f"  make_link:\n    cmd: ln -s {victim.parent} link && echo > made.txt\n"
        "    outs:\n    - made.txt\n"
        "  grab:\n    cmd: echo ran > marker.txt\n    deps:\n    - made.txt\n"
        "    outs:\n    - link/victim_dir\n")
    result = execute(repo, jobs=1)
    assert result.failed == ["grab"]
    failed = next(e for e in result.events if e.stage == "grab" and e.state == "failed")
    assert "'link/victim_dir'" in failed.detail and "outside the repository" in failed.detail
    assert _survived(victim)
    assert not (repo / "marker.txt").exists()


@pytest.mark.parametrize("out", [".", ".."])
def test_an_out_holding_the_pipeline_itself_is_refused(layout, out):
    repo, _ = layout
    folder = repo / "sub"
    _pipeline(folder, out)
    _refused(folder, "stage 'grab'", "would delete the pipeline")
    assert (folder / "dvc.yaml").exists() and (repo / ".dvc").is_dir()


def test_an_out_inside_dvc_s_own_folder_is_refused(layout):
    repo, _ = layout
    (repo / ".dvc" / "config").write_text("")
    for out in (".dvc", ".dvc/cache", ".git/hooks"):
        _pipeline(repo, out)
        _refused(repo, "stage 'grab'", f"'{out}'", "keep for themselves")
    assert (repo / ".dvc" / "config").exists()


def test_a_dotdot_out_that_stays_inside_the_repository_runs(layout):
    """A pipeline in a sub-folder writing beside it, as DVC allows."""
    repo, _ = layout
    folder = repo / "sub"
    _pipeline(folder, "../data/made.txt", "mkdir -p ../data && echo made > ../data/made.txt")
    (repo / "data").mkdir()
    (repo / "data" / "made.txt").write_text("stale\n")
    result = execute(folder)
    assert result.ok, result.events
    assert (repo / "data" / "made.txt").read_text() == "made\n"


def test_outside_a_dvc_repository_the_pipeline_folder_is_the_boundary(tmp_path):
    victim = tmp_path / "victim_dir"
    victim.mkdir()
    (victim / "thesis.txt").write_text("years of work\n")
    folder = tmp_path / "plain"
    _pipeline(folder, "../victim_dir")
    _refused(folder, "outside the repository")
    assert _survived(victim)


def test_without_a_repository_the_stages_working_folders_are_inside(tmp_path):
    """`nb2pipe convert -o DIR` without DVC: stages run in the notebook's folder, above DIR."""
    project = tmp_path / "project"
    folder = project / "out"
    folder.mkdir(parents=True)
    (folder / "dvc.yaml").write_text(
        "stages:\n  make:\n    wdir: ..\n    cmd: echo made > results.csv\n"
        "    outs:\n    - results.csv\n")
    result = execute(folder)
    assert result.ok, result.events
    assert (project / "results.csv").read_text() == "made\n"


def test_a_refused_run_leaves_nothing_behind(tmp_path):
    folder = tmp_path / "plain"
    _pipeline(folder, "../elsewhere")
    before = sorted(p.name for p in folder.iterdir())
    _refused(folder, "outside the repository")
    assert sorted(p.name for p in folder.iterdir()) == before, "no lock or cache folder made"
