"""`nb2pipe sweep` with real DVC and real kernels, on a 3-stage notebook whose `offset` only the
last stage reads: the experiments are DVC's (`dvc exp show --json`, `dvc exp apply`), stages no
parameter changes are not run again, and the user's workspace is left as it was."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.integration import harness
from tests.nbbuild import notebook

pytestmark = pytest.mark.integration

CELLS = [("parameters", "scale = 2\noffset = 1"),
         ("stage:make", "data = list(range(10))"),
         ("stage:scaled", "scaled = [x * scale for x in data]"),
         (["stage:score", "metrics"], "total = sum(scaled) + offset\ntotal")]
NB2PIPE, DVC = str(harness.BIN / "nb2pipe"), str(harness.BIN / "dvc")


def _project(folder: Path, cells=CELLS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "nb.ipynb").write_text(json.dumps(notebook(cells)), encoding="utf-8")
    harness.make_repo(folder)
    harness.run([NB2PIPE, "convert", "nb.ipynb"], folder)
    harness.run([NB2PIPE, "run"], folder)
    harness.commit_all(folder, "pipeline, run once")
    return folder


def _snapshot(folder: Path) -> dict:
    """What a user would see of the workspace: its files' bytes (DVC's cache and tmp aside),
    git's status and branch, and the worktrees git knows."""
    files = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_file() and not rel.startswith((".git/", ".dvc/cache/", ".dvc/tmp/")):
            files[rel] = path.read_bytes()
    git = lambda *a: harness.run(["git", *a], folder).stdout  # noqa: E731
    return {"files": files, "status": git("status", "--porcelain", "--ignored"),
            "head": git("rev-parse", "HEAD"), "branch": git("branch", "--show-current"),
            "worktrees": git("worktree", "list", "--porcelain")}


def _experiments(folder: Path) -> dict[str, dict]:
    """name -> {params, metrics, rev} from `dvc exp show --json`."""
    shown = json.loads(harness.run([DVC, "exp", "show", "--json"], folder).stdout)
    found = {}
    for baseline in shown:
        for exp in baseline.get("experiments") or []:
            for rev in exp["revs"]:
                data = rev["data"]
                metrics = {k: v for m in (data.get("metrics") or {}).values()
                           for k, v in (m.get("data") or {}).items()}
                found[exp["name"]] = {"params": data["params"]["params.yaml"]["data"],
                                      "metrics": metrics, "rev": rev["rev"]}
    return found


def _locked_md5(folder: Path, rev: str, stage: str) -> dict[str, str]:
    lock = YAML(typ="safe").load(harness.run(["git", "show", f"{rev}:dvc.lock"], folder).stdout)
    return {o["path"]: o["md5"] for o in lock["stages"][stage]["outs"]}


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    folder = _project(tmp_path_factory.mktemp("sweep") / "proj")
    before = _snapshot(folder)
    proc = harness.run([NB2PIPE, "sweep", "-S", "scale=2,3", "-S", "offset=0,10", "-j", "2",
                        "--sort-by", "total"], folder, check=False)
    return folder, before, proc


def test_every_combination_is_a_dvc_experiment_with_its_params_and_metrics(swept):
    folder, _, proc = swept
    assert proc.returncode == 0, proc.stdout + proc.stderr
    found = _experiments(folder)
    got = sorted((e["params"]["scale"], e["params"]["offset"], e["metrics"]["total"])
                 for e in found.values())
    assert got == [(2, 0, 90), (2, 10, 100), (3, 0, 135), (3, 10, 145)]
    # progress per experiment, and the table best first by --sort-by, with DVC's names
    for name in found:
        assert f"saved as experiment '{name}'" in proc.stdout
    table = [line.split() for line in proc.stdout.splitlines()
             if line.split() and line.split()[0] in found]
    assert [row[1:] for row in table] == [["3", "10", "145"], ["3", "0", "135"],
                                          ["2", "10", "100"], ["2", "0", "90"]], proc.stdout


def test_stages_no_swept_parameter_changes_are_not_run_again(swept):
    folder, _, proc = swept
    assert "running make" not in proc.stdout
    head = harness.run(["git", "rev-parse", "HEAD"], folder).stdout.strip()
    found = _experiments(folder)
    # an executed notebook carries its run's timestamps: equal hashes mean it did not run again
    for exp in found.values():
        assert _locked_md5(folder, exp["rev"], "make") == _locked_md5(folder, head, "make")
    # `scaled` ran once, for scale=3 (scale=2's result is the workspace's), and the other
    # combination with scale=3 reused its result
    assert proc.stdout.count("running scaled") == 1, proc.stdout
    assert proc.stdout.count("reused: scaled") == 1, proc.stdout
    for scale in (2, 3):
        same = [_locked_md5(folder, e["rev"], "scaled") for e in found.values()
                if e["params"]["scale"] == scale]
        assert len(same) == 2 and same[0] == same[1]
    assert same[0] != _locked_md5(folder, head, "scaled")
    assert proc.stdout.count("running score") == 4


def test_the_workspace_is_left_exactly_as_it_was(swept):
    folder, before, _ = swept
    after = _snapshot(folder)
    assert after["files"].keys() == before["files"].keys()
    assert after == before
    assert not list((folder / ".dvc" / "tmp" / "nb2pipe-sweep").glob("*-*"))


def test_dvc_exp_apply_takes_an_experiment_into_the_workspace(swept):
    folder, _, _ = swept
    name, exp = next((n, e) for n, e in _experiments(folder).items()
                     if e["params"] == {"scale": 3, "offset": 10})
    harness.run([DVC, "exp", "apply", name], folder)
    params = YAML(typ="safe").load((folder / "params.yaml").read_text())
    assert params == {"scale": 3, "offset": 10}
    status = harness.run([DVC, "status", "--json"], folder).stdout
    assert json.loads(status) == {}, status  # its outputs came from the cache: up to date
    metrics = json.loads(harness.run([DVC, "metrics", "show", "--json"], folder).stdout)
    assert "145" in json.dumps(metrics)


def test_dvc_exp_push_sends_an_experiment_and_its_outputs_to_the_remotes(swept, tmp_path):
    folder, _, _ = swept
    git_remote, dvc_remote = tmp_path / "remote.git", tmp_path / "store"
    harness.run(["git", "init", "-q", "--bare", str(git_remote)], tmp_path)
    harness.run(["git", "remote", "add", "origin", str(git_remote)], folder)
    harness.run([DVC, "remote", "add", "--local", "-d", "store", str(dvc_remote)], folder)
    name, exp = next((n, e) for n, e in _experiments(folder).items()
                     if e["params"] == {"scale": 3, "offset": 0})
    harness.run([DVC, "exp", "push", "origin", name], folder)
    refs = harness.run(["git", "ls-remote", str(git_remote)], folder).stdout
    assert exp["rev"] in refs and f"/{name}" in refs
    pushed = {p.parent.name + p.name for p in (dvc_remote / "files" / "md5").glob("*/*")}
    for md5 in _locked_md5(folder, exp["rev"], "scaled").values():
        assert md5 in pushed  # the outputs this experiment computed, from the shared cache


def test_bad_options_are_a_message_and_nothing_runs(tmp_path):
    folder = _project(tmp_path / "proj")
    before = _snapshot(folder)
    proc = harness.run([NB2PIPE, "sweep", "-S", "scal=2,3"], folder, check=False)
    assert proc.returncode == 1
    assert "params.yaml has no parameter 'scal'. Did you mean 'scale'?" in proc.stderr
    assert "Its parameters: scale, offset" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = harness.run([NB2PIPE, "sweep", "-S", "scale"], folder, check=False)
    assert proc.returncode == 2 and "expected NAME=VALUE" in proc.stderr
    assert _snapshot(folder) == before
    assert _experiments(folder) == {}


def test_a_failing_combination_is_reported_and_the_others_are_saved(tmp_path):
    """Also: a pipeline in a sub-folder of the repository, run but not committed since (its
    dvc.lock, metrics file and .gitignore files are new to git: the experiment commits them, as
    `dvc exp run` does), with an uncommitted change to params.yaml that the experiments take
    along and that stays."""
    root = tmp_path / "repo"
    root.mkdir()
    harness.make_repo(root)
    folder = root / "proj"
    folder.mkdir()
    (folder / "nb.ipynb").write_text(json.dumps(notebook(CELLS)), encoding="utf-8")
    harness.run([NB2PIPE, "convert", "nb.ipynb"], folder)
    harness.commit_all(root, "pipeline in proj/")
    harness.run([NB2PIPE, "run"], folder)
    params = folder / "params.yaml"
    params.write_text(params.read_text().replace("scale: 2", "scale: 3"))
    before = _snapshot(root)
    proc = harness.run([NB2PIPE, "sweep", "proj", "-S", "offset=5,oops", "-j", "2"], root,
                       check=False)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "offset=oops" in proc.stderr and "score" in proc.stderr
    assert "1 experiment(s) saved" in proc.stdout and "1 failed" in proc.stdout
    shown = json.loads(harness.run([DVC, "exp", "show", "--json"], root).stdout)
    found = [rev["data"] for b in shown for e in b.get("experiments") or [] for rev in e["revs"]]
    assert [(d["params"]["proj/params.yaml"]["data"],
             d["metrics"]["proj/pipelines/nb/metrics/score.json"]["data"]) for d in found] == [
        ({"scale": 3, "offset": 5}, {"total": 140})]
    table = [line.split() for line in proc.stdout.splitlines() if "140" in line.split()]
    assert table and table[0][1:] == ["5", "140"], proc.stdout
    assert _snapshot(root) == before
    rev = found and [r["rev"] for b in shown for e in b.get("experiments") or []
                     for r in e["revs"]][0]
    committed = harness.run(["git", "show", "--name-only", "--format=", rev], root).stdout
    assert "proj/pipelines/nb/metrics/score.json" in committed  # as dvc exp run commits it
    assert "proj/pipelines/nb/executed/.gitignore" in committed


def test_a_stopped_sweep_keeps_finished_experiments_and_leaves_nothing_half_done(tmp_path):
    folder = _project(tmp_path / "proj")
    before = _snapshot(folder)
    proc = subprocess.Popen([NB2PIPE, "sweep", "-S", "scale=3,4,5", "-j", "1"], cwd=folder,
                            env=harness.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    seen = []
    for line in proc.stdout:  # stop it while the second combination computes
        seen.append(line)
        if line.startswith("[2/3]") and "running scaled" in line:
            break
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, "".join(seen) + out + err
    assert "nb2pipe: interrupted" in err
    assert _snapshot(folder) == before  # no worktree, no file, no change left behind
    assert not list((folder / ".dvc" / "tmp" / "nb2pipe-sweep").glob("*-*"))
    found = _experiments(folder)  # the first was saved before the stop, complete
    assert [(e["params"]["scale"], e["metrics"]["total"]) for e in found.values()] == [(3, 136)]
    harness.run([DVC, "status"], folder)  # the repository's lock is free again
