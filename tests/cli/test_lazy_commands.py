"""Each command's module is imported only when that command runs: `nb2pipe exec-stage`, which
every dvc.yaml stage and every Airflow or KFP task runs, imports neither the analysis, nor api,
DVC, ruamel or rich (its fixed cost per task), and still prints its message on a failure;
`nb2pipe --help` still lists every command."""

from __future__ import annotations

import subprocess
import sys

from .helpers import nb2pipe, ok, write_nb

HEAVY = ("jupyter_pipeline.analysis", "jupyter_pipeline.api", "jupyter_pipeline.export",
         "jupyter_pipeline.cli.convert", "jupyter_pipeline.cli.sweep", "dvc", "ruamel", "rich")


def _imported(*args: str, cwd) -> tuple[subprocess.CompletedProcess, set[str]]:
    """The command's result, and every module its own process imported (the kernel is a
    process of its own)."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "jupyter_pipeline.cli",
                           *args], cwd=cwd, capture_output=True, text=True, timeout=120)
    names = {line.split("|")[2].strip() for line in proc.stderr.splitlines()
             if line.startswith("import time:") and "cumulative" not in line}
    return proc, names


def test_exec_stage_imports_only_what_running_a_stage_needs(tmp_path):
    write_nb(tmp_path, [("stage:only", "x = 1\nprint('ran', x)")])
    ok("convert", "nb.ipynb", cwd=tmp_path)
    proc, names = _imported("exec-stage", "pipelines/nb/only.ipynb",
                            "pipelines/nb/executed/only.ipynb", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "ran 1" in proc.stdout
    assert "papermill" in names  # it did run the stage in this process
    # The kernel pool turns IPython syntax into Python with analysis/ipython.py (~1 ms, no
    # other module of the analysis); nothing else of HEAVY.
    heavy = sorted(n for n in names if n.startswith(HEAVY)
                   and n not in ("jupyter_pipeline.analysis", "jupyter_pipeline.analysis.ipython"))
    assert heavy == []


def test_exec_stage_still_says_what_failed_and_help_lists_every_command(tmp_path):
    proc, _ = _imported("exec-stage", "missing.ipynb", "out.ipynb", cwd=tmp_path)
    assert proc.returncode == 1
    assert "nb2pipe: " in proc.stderr and "Traceback" not in proc.stderr
    listed = ok("--help", cwd=tmp_path).stdout
    for command in ("convert", "show", "dag", "tag", "run", "sweep", "verify", "exec-stage",
                    "export"):
        assert f"    {command}" in listed, command
    usage = nb2pipe("no-such-command", cwd=tmp_path)
    assert usage.returncode == 2 and "invalid choice" in usage.stderr
