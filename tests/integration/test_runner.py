"""`nb2pipe run` and real DVC agree on what is up to date, in both directions."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.nbbuild import notebook

from . import harness
from .cases import EXAMPLES

pytestmark = pytest.mark.integration

DVC = str(harness.BIN / "dvc")


def nb2pipe(*args, cwd: Path, check: bool = False) -> subprocess.CompletedProcess:
    return harness.run([str(harness.BIN / "nb2pipe"), *args], cwd, check=check)


def status_clean(folder: Path) -> bool:
    return "up to date" in harness.run([DVC, "status"], folder).stdout


@pytest.fixture()
def branching(tmp_path) -> Path:
    folder = harness.copy_folder(EXAMPLES / "branching", tmp_path / "p")
    harness.make_repo(folder)
    nb2pipe("convert", "branching.ipynb", cwd=folder, check=True)
    harness.commit_all(folder, "converted")
    return folder


def test_after_nb2pipe_run_dvc_sees_everything_up_to_date(branching):
    out = nb2pipe("run", "-j", "2", cwd=branching, check=True).stdout
    assert "4 stage(s) ran" in out
    assert status_clean(branching)
    repro = harness.run([DVC, "repro"], branching)
    assert harness.ran_stages(repro.stdout + repro.stderr) == []


def test_after_dvc_repro_nb2pipe_runs_nothing_and_a_param_change_is_seen_alike(branching):
    harness.run([DVC, "repro"], branching)
    out = nb2pipe("run", cwd=branching, check=True).stdout
    assert "0 stage(s) ran, 4 up to date" in out
    params = branching / "params.yaml"
    params.write_text(params.read_text().replace("n_rows: 200", "n_rows: 120"))
    status = harness.run([DVC, "status"], branching).stdout
    dry = nb2pipe("run", "--dry-run", cwd=branching, check=True).stdout
    assert "would run load: parameter 'n_rows' changed" in dry
    stale_dvc = {line.rstrip(":") for line in status.splitlines() if line and line[0] != "\t"}
    stale_ours = {line.split()[2].rstrip(":") for line in dry.splitlines()
                  if line.startswith("would run")}
    assert "load" in stale_dvc and stale_dvc <= stale_ours
    nb2pipe("run", cwd=branching, check=True)
    assert status_clean(branching)


HANDWRITTEN = """\
stages:
  make:
    cmd: mkdir -p out && echo "$(cat in.txt) $DVC_STAGE ${model.depth}" > out/made.txt
    deps:
    - in.txt
    params:
    - model.depth
    outs:
    - out
  count:
    wdir: sub
    cmd:
    - wc -c < ../out/made.txt > count.txt
    - "echo '{\\"n\\": 1}' > m.json"
    deps:
    - ../out/made.txt
    outs:
    - count.txt:
        cache: false
    metrics:
    - m.json:
        cache: false
"""


@pytest.fixture()
def handwritten(tmp_path) -> Path:
    folder = tmp_path / "h"
    (folder / "sub").mkdir(parents=True)
    (folder / "dvc.yaml").write_text(HANDWRITTEN)
    (folder / "params.yaml").write_text("model:\n  depth: 3\n")
    (folder / "in.txt").write_text("hello\n")
    harness.make_repo(folder)
    harness.commit_all(folder, "pipeline")
    return folder


def test_hand_written_dvc_stages_run_and_dvc_agrees(handwritten):
    out = nb2pipe("run", cwd=handwritten, check=True).stdout
    assert "2 stage(s) ran" in out
    assert (handwritten / "out" / "made.txt").read_text() == "hello make 3\n"
    assert status_clean(handwritten)
    assert "0 stage(s) ran" in nb2pipe("run", cwd=handwritten, check=True).stdout
    (handwritten / "in.txt").write_text("changed\n")
    dry = nb2pipe("run", "--dry-run", cwd=handwritten, check=True).stdout
    assert "would run make: dependency 'in.txt' changed" in dry
    assert "would run count: upstream stage 'make' runs" in dry
    harness.run([DVC, "repro"], handwritten)
    assert "0 stage(s) ran" in nb2pipe("run", cwd=handwritten, check=True).stdout


def test_a_pipeline_in_a_sub_folder_of_the_repository_is_cached_where_dvc_looks(tmp_path):
    """The repository (and its cache, moved by `dvc cache dir`) sits above the pipeline's folder,
    as when a project keeps notebooks in sub-folders: `dvc status` must not say 'not in cache'."""
    repo = tmp_path / "repo"
    folder = harness.copy_folder(EXAMPLES / "branching", repo / "analysis")
    harness.make_repo(repo)
    harness.run([DVC, "cache", "dir", str(tmp_path / "shared-cache")], repo, check=True)
    nb2pipe("convert", "branching.ipynb", cwd=folder, check=True)
    harness.commit_all(repo, "converted")
    nb2pipe("run", "-j", "2", cwd=folder, check=True)
    status = harness.run([DVC, "status"], repo).stdout
    assert "up to date" in status, status
    assert not (folder / ".nb2pipe").exists(), "the hash cache lives in the repository's .dvc"
    assert any((tmp_path / "shared-cache" / "files" / "md5").iterdir())


def test_a_kernel_that_is_not_installed_fails_its_stage_and_names_the_installed_ones(tmp_path):
    folder = harness.copy_folder(EXAMPLES / "branching", tmp_path / "p")
    harness.make_repo(folder)
    nb2pipe("convert", "branching.ipynb", "--kernel", "no-such-kernel", cwd=folder, check=True)
    proc = nb2pipe("run", cwd=folder)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "no Jupyter kernel named 'no-such-kernel'" in proc.stdout + proc.stderr
    assert "python3" in proc.stdout + proc.stderr  # among the installed ones
    repro = harness.run([DVC, "repro"], folder, check=False)
    assert repro.returncode != 0 and "Traceback" not in repro.stdout + repro.stderr
    assert "no Jupyter kernel named 'no-such-kernel'" in repro.stdout + repro.stderr
    verify = nb2pipe("verify", "branching.ipynb", "--kernel", "no-such-kernel", cwd=folder)
    assert verify.returncode == 1 and "Traceback" not in verify.stderr
    assert "no Jupyter kernel named 'no-such-kernel'" in verify.stderr


def _refused(proc, *texts):
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    for t in texts:
        assert t in proc.stdout + proc.stderr, (t, proc.stdout, proc.stderr)


def test_no_dvc_yaml(tmp_path):
    _refused(nb2pipe("run", cwd=tmp_path), "has no dvc.yaml")


def test_missing_dependency_and_missing_parameter(handwritten):
    (handwritten / "in.txt").unlink()
    _refused(nb2pipe("run", cwd=handwritten), "depends on 'in.txt', which does not exist")
    (handwritten / "in.txt").write_text("x\n")
    (handwritten / "params.yaml").write_text("model:\n  width: 3\n")
    _refused(nb2pipe("run", cwd=handwritten), "model.depth")


def test_a_stage_that_does_not_create_its_output_fails(handwritten):
    text = (handwritten / "dvc.yaml").read_text().replace(
        'cmd: mkdir -p out && echo "$(cat in.txt) $DVC_STAGE ${model.depth}" > out/made.txt', "cmd: 'true'")
    (handwritten / "dvc.yaml").write_text(text)
    _refused(nb2pipe("run", cwd=handwritten), "did not create 'out'")
    assert "make" not in (handwritten / "dvc.lock").read_text() if (
        handwritten / "dvc.lock").exists() else True


def test_a_stage_killed_by_a_signal_fails_cleanly(handwritten):
    text = (handwritten / "dvc.yaml").read_text().replace(
        'cmd: mkdir -p out && echo "$(cat in.txt) $DVC_STAGE ${model.depth}" > out/made.txt',
        "cmd: kill -9 $$")
    (handwritten / "dvc.yaml").write_text(text)
    _refused(nb2pipe("run", cwd=handwritten), "make", "SIGKILL")


def test_a_corrupt_lock_is_treated_as_absent_with_a_warning(handwritten):
    (handwritten / "dvc.lock").write_text("{{{ not yaml")
    proc = nb2pipe("run", cwd=handwritten)
    assert proc.returncode == 0, proc.stderr
    assert "cannot be read" in proc.stderr and "2 stage(s) ran" in proc.stdout
    assert status_clean(handwritten)


def test_a_failing_notebook_stage_names_stage_cell_and_error_and_keeps_the_rest(tmp_path):
    cells = [("stage:a", "x = 1"), ("stage:b", "y = x\nraise ValueError('bad value')"),
             ("stage:c", "z = y"), ("stage:side", "w = x + 1")]
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "nb.ipynb").write_text(json.dumps(notebook(cells)))
    harness.make_repo(folder)
    nb2pipe("convert", "nb.ipynb", cwd=folder, check=True)
    proc = nb2pipe("run", "-j", "1", cwd=folder)
    _refused(proc, "FAILED   b", "cell 2, line 2 (`raise ValueError('bad value')`) raised ValueError: bad value",
             "pipelines/nb/executed/b.ipynb", "not run  c")
    lock = (folder / "dvc.lock").read_text()
    assert "  a:" in lock and "  b:" not in lock
    proc = nb2pipe("run", "--keep-going", "-j", "1", cwd=folder)
    assert proc.returncode == 1
    assert "done     side" in proc.stdout and "  side:" in (folder / "dvc.lock").read_text()


def _notebook_project(tmp_path, cells) -> Path:
    folder = tmp_path / "k"
    folder.mkdir()
    (folder / "nb.ipynb").write_text(json.dumps(notebook(cells)))
    harness.make_repo(folder)
    nb2pipe("convert", "nb.ipynb", cwd=folder, check=True)
    return folder


def test_a_kernel_that_dies_fails_its_stage_with_a_clear_message(tmp_path):
    folder = _notebook_project(tmp_path, [("stage:a", "x = 1"),
                                          ("stage:b", "import os\nos._exit(3)")])
    proc = nb2pipe("run", cwd=folder)
    _refused(proc, "FAILED   b", "kernel died")
    assert "  a:" in (folder / "dvc.lock").read_text()


def _with_kernels(tmp_path, argv: list[str]) -> dict[str, str]:
    """An environment where Jupyter also finds a kernel 'broken' that runs `argv`."""
    spec = tmp_path / "jupyter" / "kernels" / "broken"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps(
        {"argv": argv + ["{connection_file}"], "display_name": "broken", "language": "python"}))
    return dict(harness.env(), JUPYTER_PATH=str(tmp_path / "jupyter"))


def _run_with(env, folder, *cmd) -> subprocess.CompletedProcess:
    return subprocess.run(list(cmd), cwd=folder, env=env, capture_output=True, text=True,
                          timeout=300)


def test_a_kernel_that_cannot_start_fails_its_stage_with_a_clear_message(tmp_path):
    env = _with_kernels(tmp_path, [str(harness.BIN / "python"), "-c", "raise SystemExit(3)"])
    folder = _notebook_project(tmp_path, [("stage:a", "x = 1")])
    nb2pipe("convert", "nb.ipynb", "--kernel", "broken", cwd=folder, check=True)
    proc = _run_with(env, folder, str(harness.BIN / "nb2pipe"), "run")
    _refused(proc, "FAILED   a", "the kernel 'broken' did not start",
             "jupyter console --kernel=broken")
    proc = _run_with(env, folder, DVC, "repro")  # the stage command DVC runs says the same
    assert proc.returncode != 0
    assert "the kernel 'broken' did not start" in proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr


_SLOW_KERNEL = ("import runpy, sys, time\n"
                "time.sleep(3)\n"
                "sys.argv = ['ipykernel_launcher', '-f', sys.argv[1]]\n"
                "runpy.run_module('ipykernel_launcher', run_name='__main__', alter_sys=True)")


def test_a_kernel_that_is_slow_to_start_is_waited_for(tmp_path):
    # A kernel of a large environment, or any kernel on a busy machine (two runs at once on two
    # cores), can take more than a second before it answers heartbeats; judged by heartbeats it
    # "died before replying to kernel_info" and the run failed with a traceback.
    env = _with_kernels(tmp_path, [str(harness.BIN / "python"), "-c", _SLOW_KERNEL])
    folder = _notebook_project(tmp_path, [("stage:a", "x = 1"), ("stage:b", "y = x + 1")])
    nb2pipe("convert", "nb.ipynb", "--kernel", "broken", cwd=folder, check=True)
    proc = _run_with(env, folder, str(harness.BIN / "nb2pipe"), "run")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 stage(s) ran" in proc.stdout


def test_ctrl_c_stops_the_run_and_leaves_a_valid_lock(tmp_path):
    import signal
    import time

    from ruamel.yaml import YAML

    folder = _notebook_project(tmp_path, [("stage:a", "x = 1"),
                                          ("stage:b", "import time\ntime.sleep(60)\ny = x")])
    proc = subprocess.Popen([str(harness.BIN / "nb2pipe"), "run"], cwd=folder, env=harness.env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        lock = folder / "dvc.lock"
        if lock.exists() and "  a:" in lock.read_text():
            break
        time.sleep(0.2)
    time.sleep(2)  # b is running now
    started = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert time.monotonic() - started < 30, "Ctrl-C must not wait for the stage to finish"
    assert proc.returncode == 130, (out, err)
    assert "Traceback" not in err
    data = YAML(typ="safe").load((folder / "dvc.lock").read_text())
    assert set(data["stages"]) == {"a"}


def test_ctrl_c_while_a_kernel_is_starting_does_not_let_its_stage_begin(tmp_path):
    """On a busy machine Ctrl-C can arrive while a stage's kernel is still starting: that stage
    must not start computing once its kernel is ready (here it would sleep for a minute)."""
    import signal
    import time

    env = _with_kernels(tmp_path, [str(harness.BIN / "python"), "-c", _SLOW_KERNEL])
    folder = _notebook_project(tmp_path, [("stage:a", "import time\ntime.sleep(60)\nx = 1")])
    nb2pipe("convert", "nb.ipynb", "--kernel", "broken", cwd=folder, check=True)
    proc = subprocess.Popen([str(harness.BIN / "nb2pipe"), "run"], cwd=folder, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)  # the kernel sleeps 3 s before it starts
    started = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=90)
    assert time.monotonic() - started < 30, "the stage ran after Ctrl-C"
    assert proc.returncode == 130, (out, err)
    assert "Traceback" not in err
    assert not (folder / "dvc.lock").exists() or "  a:" not in (folder / "dvc.lock").read_text()


# Kernels after the first are forks of a server that imported the stages' libraries once
# (runner/zygote.py). A forked kernel must be indistinguishable from a fresh one.
_LIBRARIES = "import numpy as np\nimport pandas as pd\nimport matplotlib.pyplot as plt\n"


def test_a_forked_kernel_shows_what_a_fresh_kernel_shows(tmp_path):
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "helper.py").write_text("NAME = 'the folder module'\n")
    (folder / "nb.ipynb").write_text(json.dumps(notebook([
        ("stage:a", _LIBRARIES + "x = 1"),
        ("stage:b", _LIBRARIES + "import os, sys, matplotlib, helper\n"
                    "print(pd.get_option('display.max_columns'), matplotlib.get_backend())\n"
                    "print(os.path.exists('helper.py'), helper.NAME)\n"
                    "plt.plot([x, 2])\nplt.show()"),
    ])))
    proc = harness.run([str(harness.BIN / "nb2pipe"), "verify", "nb.ipynb"], folder, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "same       b" in proc.stdout


def test_a_forked_kernel_starts_with_an_empty_namespace(tmp_path):
    folder = _notebook_project(tmp_path, [
        ("stage:a", _LIBRARIES + "x = 1"),
        ("stage:b", "print(sorted(n for n in ('np', 'pd', 'plt') if n in dir()))\n"
                    "import numpy as np\nprint(np.random.rand())\ny = x"),
        ("stage:c", "import numpy as np\nprint(np.random.rand())\nz = y"),
    ])
    assert nb2pipe("run", "-j", "1", cwd=folder).returncode == 0
    outputs = {}
    for stage in ("b", "c"):
        cells = json.loads((folder / "pipelines/nb/executed" / f"{stage}.ipynb").read_text())["cells"]
        outputs[stage] = "".join("".join(o.get("text", "")) for c in cells
                                 if c["cell_type"] == "code" for o in c.get("outputs", []))
    assert outputs["b"].startswith("[]\n"), outputs["b"]
    # Each fork draws its own random numbers, as separate processes do.
    assert outputs["b"].split("\n")[1] != outputs["c"].split("\n")[0], outputs


def test_an_out_outside_the_repository_is_refused_and_the_folder_survives(tmp_path):
    """The data-loss case of a hand-written dvc.yaml: `nb2pipe run` deleted the folder before
    running the stage. It must refuse, naming stage and out, as `dvc repro` refuses it."""
    victim = tmp_path / "outside" / "victim_dir"
    victim.mkdir(parents=True)
    (victim / "thesis.txt").write_text("years of work\n")
    repo = tmp_path / "repo"
    folder = repo / "sub"
    folder.mkdir(parents=True)
    (folder / "dvc.yaml").write_text(
        "stages:\n  grab:\n    cmd: echo hi\n    outs:\n    - ../../outside/victim_dir\n")
    harness.make_repo(repo)
    _refused(nb2pipe("run", cwd=folder), "stage 'grab'", "'../../outside/victim_dir'",
             "outside the repository")
    assert (victim / "thesis.txt").read_text() == "years of work\n"
    assert harness.run([DVC, "repro"], folder, check=False).returncode != 0  # DVC refuses too
    assert (victim / "thesis.txt").read_text() == "years of work\n"


IGNORED = """\
stages:
  make:
    cmd: mkdir -p out deep/er && echo "$(cat in.txt)" > out/made.txt && echo x > deep/er/x.txt && echo y > 'we[1]*.txt'
    deps:
    - in.txt
    outs:
    - out
    - deep/er/x.txt
    - we[1]*.txt
  count:
    wdir: sub
    cmd:
    - wc -c < ../out/made.txt > count.txt
    - wc -c < ../out/made.txt > kept.txt
    - "echo '{\\"n\\": 1}' > m.json"
    deps:
    - ../out/made.txt
    outs:
    - count.txt
    - kept.txt:
        cache: false
    metrics:
    - m.json:
        cache: false
"""


def _ignore_project(folder: Path) -> Path:
    (folder / "sub").mkdir(parents=True)
    (folder / "dvc.yaml").write_text(IGNORED)
    (folder / "in.txt").write_text("hello\n")
    harness.make_repo(folder)
    # A .gitignore of the user's own, with no newline at its end.
    (folder / ".gitignore").write_text("*.log")
    (folder / "sub" / ".gitignore").write_text("/count.txt\n")  # already listed: not added again
    harness.commit_all(folder, "pipeline")
    return folder


def _gitignores(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): p.read_text() for p in sorted(folder.rglob(".gitignore"))
            if ".dvc" not in p.parts and ".git" not in p.parts}


def test_nb2pipe_run_writes_the_gitignore_entries_dvc_repro_writes(tmp_path):
    ours = _ignore_project(tmp_path / "ours")
    theirs = _ignore_project(tmp_path / "theirs")
    nb2pipe("run", cwd=ours, check=True)
    harness.run([DVC, "repro"], theirs)
    assert _gitignores(ours) == _gitignores(theirs)
    assert _gitignores(ours)[".gitignore"] == "*.log\n/out\n/we\\[1\\]\\*.txt\n"
    # The README's workflow: run, commit everything; DVC then still owns the outputs.
    harness.commit_all(ours, "ran")
    tracked = harness.run(["git", "ls-files"], ours).stdout.split()
    assert "out/made.txt" not in tracked and "sub/count.txt" not in tracked
    assert "sub/kept.txt" in tracked and "sub/m.json" in tracked  # cache: false stays with git
    assert status_clean(ours)
    (ours / "in.txt").write_text("changed\n")
    repro = harness.run([DVC, "repro"], ours, check=False)
    assert repro.returncode == 0, repro.stdout + repro.stderr
    assert status_clean(ours)
    nb2pipe("run", "--force", cwd=ours, check=True)
    assert _gitignores(ours) == _gitignores(theirs), "a second run adds nothing"


def test_a_notebook_pipeline_run_then_committed_still_reproduces_with_dvc(branching):
    nb2pipe("run", cwd=branching, check=True)
    harness.commit_all(branching, "ran")
    assert status_clean(branching)
    params = branching / "params.yaml"
    params.write_text(params.read_text().replace("n_rows: 200", "n_rows: 120"))
    repro = harness.run([DVC, "repro"], branching, check=False)
    assert repro.returncode == 0, repro.stdout + repro.stderr
    assert status_clean(branching)
    assert nb2pipe("convert", "branching.ipynb", cwd=branching).returncode == 0


def test_an_output_git_already_tracks_is_refused_before_the_stage_runs(handwritten):
    """Committed by an nb2pipe that wrote no .gitignore: DVC would run the stage, overwrite
    the file, then fail; nb2pipe says what to do first."""
    (handwritten / "out").mkdir()
    (handwritten / "out" / "made.txt").write_text("committed\n")
    harness.commit_all(handwritten, "outputs committed")
    _refused(nb2pipe("run", cwd=handwritten), "stage 'make'", "'out', which git tracks",
             "git rm -r --cached out")
    assert (handwritten / "out" / "made.txt").read_text() == "committed\n"


def _processes_with(marker: str) -> list[str]:
    """Processes whose environment carries `marker` (every kernel of a run inherits the
    runner's environment, forked ones too), described."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or proc.name == str(os.getpid()):
            continue
        try:
            if marker.encode() in (proc / "environ").read_bytes():
                found.append(f"{proc.name}: {(proc / 'cmdline').read_bytes()[:120]!r}")
        except OSError:  # gone, or not ours to read
            continue
    return found


def _start_sleeping_run(tmp_path, forks: bool = True, busy: str = "import time\ntime.sleep(60)"
                        ) -> tuple[subprocess.Popen, Path, str]:
    """A run whose stages b and c sleep for a minute each in their kernels (forks of the fork
    server, or with `forks=False` started the usual way), with a marker in its environment.
    `busy`: what they do instead of sleeping."""
    import time
    import uuid

    folder = _notebook_project(tmp_path, [
        ("stage:a", "x = 1"),
        ("stage:b", f"{busy}\ny = x"),
        ("stage:c", f"{busy}\nz = x")])
    marker = f"NB2PIPE_TEST_RUN={uuid.uuid4().hex}"
    env = dict(harness.env(), NB2PIPE_TEST_RUN=marker.split("=")[1])
    if not forks:
        env["NB2PIPE_FORK_KERNELS"] = "0"
    proc = subprocess.Popen([str(harness.BIN / "nb2pipe"), "run", "-j", "2"], cwd=folder,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        lock = folder / "dvc.lock"
        if lock.exists() and "  a:" in lock.read_text():
            break
        time.sleep(0.2)
    time.sleep(3)  # b and c are computing now
    assert len(_processes_with(marker)) >= 3, "the runner and its kernels"
    return proc, folder, marker


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="finds kernels in /proc")
@pytest.mark.parametrize(("forks", "busy"), [
    (True, "import time\ntime.sleep(60)"), (False, "import time\ntime.sleep(60)"),
    # computing in C with the GIL held: ipykernel's parent poller cannot run
    (True, "sum(range(10**12))"), (False, "sum(range(10**12))")],
    ids=["forked kernels", "kernels started plain", "forked kernels holding the GIL",
         "kernels started plain holding the GIL"])
def test_kernels_die_with_a_runner_killed_by_sigkill(tmp_path, forks, busy):
    import signal
    import time

    proc, folder, marker = _start_sleeping_run(tmp_path, forks, busy)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)  # no kernel holds the pipes
    deadline = time.monotonic() + 5
    while _processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _processes_with(marker) == [], "kernels outlived their runner"
    # The lock of the killed run does not block the next one; its dvc.lock is valid.
    again = nb2pipe("run", "--dry-run", cwd=folder, check=True).stdout
    assert "skip      a: up to date" in again and "would run b" in again


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="finds kernels in /proc")
def test_sigterm_ends_the_run_as_ctrl_c_does(tmp_path):
    import signal
    import time

    from ruamel.yaml import YAML

    proc, folder, marker = _start_sleeping_run(tmp_path)
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert time.monotonic() - started < 30, "SIGTERM must not wait for the stages to finish"
    assert proc.returncode == 130, (out, err)
    assert "nb2pipe: interrupted" in err and "Traceback" not in err
    data = YAML(typ="safe").load((folder / "dvc.lock").read_text())
    assert set(data["stages"]) == {"a"}
    deadline = time.monotonic() + 5
    while _processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _processes_with(marker) == [], "kernels outlived their runner"
    assert not (folder / ".dvc" / "tmp" / "nb2pipe-run.json").exists(), "the run let go"


def test_a_stage_run_because_its_upstream_runs_still_needs_its_dependencies(handwritten):
    """Issue: the first run succeeded (count ran only because make did, unchecked) and wrote a
    dvc.lock that the next run and `dvc repro` then refused. Now count fails where `dvc repro`
    fails: when it is reached (make, which runs before it, might have made the file), with no
    lock entry for count."""
    from ruamel.yaml import YAML

    text = (handwritten / "dvc.yaml").read_text().replace(
        "    - ../out/made.txt\n", "    - ../out/made.txt\n    - notes.txt\n")
    (handwritten / "dvc.yaml").write_text(text)
    proc = nb2pipe("run", cwd=handwritten)
    _refused(proc, "depends on 'notes.txt', which does not exist: no stage declares it")
    locked = YAML(typ="safe").load((handwritten / "dvc.lock").read_text())["stages"]
    assert set(locked) == {"make"}
    repro = harness.run([DVC, "repro"], handwritten, check=False)
    assert repro.returncode != 0 and "notes.txt" in repro.stdout + repro.stderr
    (handwritten / "sub" / "notes.txt").write_text("n\n")
    nb2pipe("run", cwd=handwritten, check=True)
    assert status_clean(handwritten)
    # Forced, the same check applies.
    (handwritten / "sub" / "notes.txt").unlink()
    _refused(nb2pipe("run", "--force", "count", cwd=handwritten), "'notes.txt'")


def test_a_dependency_written_by_a_stage_that_does_not_run_now_is_named(handwritten):
    nb2pipe("run", cwd=handwritten, check=True)
    (handwritten / "out" / "made.txt").unlink()
    text = (handwritten / "dvc.yaml").read_text().replace("  make:\n", "  make:\n    frozen: true\n")
    (handwritten / "dvc.yaml").write_text(text)
    _refused(nb2pipe("run", cwd=handwritten),
             "stage 'count' depends on '../out/made.txt', which does not exist; stage 'make' "
             "writes it but does not run now")


def test_a_pipeline_in_a_folder_with_a_space_runs_with_nb2pipe_and_dvc(tmp_path):
    """The stage command is written and read by one value (model/stage_command.py): a path
    with a space is quoted for DVC's shell, and the runner reads the same paths back."""
    folder = tmp_path / "k"
    folder.mkdir()
    (folder / "nb.ipynb").write_text(json.dumps(notebook([("stage:a", "x = 1"),
                                                          ("stage:b", "y = x + 1")])))
    harness.make_repo(folder)
    (folder / "my out").mkdir()
    nb2pipe("convert", "nb.ipynb", "-o", "my out", cwd=folder, check=True)
    assert "'my out/params.yaml'" in (folder / "my out" / "dvc.yaml").read_text()
    out = nb2pipe("run", cwd=folder / "my out", check=True).stdout
    assert "2 stage(s) ran" in out
    assert status_clean(folder / "my out")
    repro = harness.run([DVC, "repro", "--force"], folder / "my out", check=False)
    assert repro.returncode == 0, repro.stdout + repro.stderr
