"""What a user reads in a terminal and in a log: `nb2pipe run` through a pipe and through a
pseudo-terminal at 80 columns, a failed stage's message, what `exec-stage` and `dvc repro` print,
the convert table at 80 columns, the untagged-notebook note, --by-headings' choice and --help."""

from __future__ import annotations

import os
import pty
import re
import struct
import subprocess
import sys
import termios
from fcntl import ioctl
from pathlib import Path

import pytest

from tests.integration.harness import commit_all, env, make_repo

from .helpers import nb2pipe, ok, write_nb

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")

# A stage of two slow cells that print, between a quick stage before it and one after it.
SLOW = [("parameters", "n = 2"),
        ("stage:prep", "x = list(range(n))"),
        ("stage:slow", "import time\nprint('warming up')\ntime.sleep(2.5)"),
        (None, "print('second cell')\ntime.sleep(1.5)\ny = sum(x)"),
        ("stage:report", "print('y is', y)")]


def in_terminal(*args: str, cwd: Path, columns: int = 80) -> tuple[int, str]:
    """Run `nb2pipe` on a pseudo-terminal `columns` wide: (exit code, everything it drew)."""
    leader, follower = pty.openpty()
    ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    e = env()
    e.pop("COLUMNS", None)
    e["TERM"] = "xterm-256color"
    proc = subprocess.Popen([sys.executable, "-m", "jupyter_pipeline.cli", *args], cwd=cwd,
                            env=e, stdin=follower, stdout=follower, stderr=follower,
                            close_fds=True)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # the follower side closed: the command is done
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    return proc.wait(timeout=300), b"".join(chunks).decode("utf-8", "replace")


def final_frame(drawn: str) -> list[str]:
    """The live table's last frame (rich erases each frame line by line before the next)."""
    last = drawn.rsplit("\x1b[?25h", 1)[0].rsplit("\x1b[2K", 1)[-1]
    return [ln.rstrip() for ln in _ANSI.sub("", last).replace("\r", "").splitlines()]


def plain(drawn: str) -> str:
    return _ANSI.sub("", drawn).replace("\r", "")


@pytest.fixture
def slow_pipeline(tmp_path: Path) -> Path:
    write_nb(tmp_path, SLOW)
    make_repo(tmp_path)
    ok("convert", "nb.ipynb", cwd=tmp_path)
    commit_all(tmp_path, "pipeline")
    return tmp_path


def test_run_through_a_pipe_prints_a_line_per_cell_with_its_place_and_time(slow_pipeline):
    proc = ok("run", cwd=slow_pipeline)
    lines = proc.stdout.splitlines()
    cells = [ln for ln in lines if ln.startswith("running  slow: ")]
    # Each slow cell runs for more than a second, so each is named, counted over the stage's
    # two cells, with the stage's elapsed time (and the last line it printed, once it did).
    assert any(re.fullmatch(r"running  slow: cell 1/2 \(\d+\.\d s\)(: warming up)?", ln)
               for ln in cells), lines
    assert any(re.fullmatch(r"running  slow: cell 2/2 \(\d+\.\d s\)(: .+)?", ln) for ln in cells), \
        lines
    assert lines[-1] == "3 stage(s) ran, 0 up to date"
    assert "\x1b[" not in proc.stdout, "no terminal codes in a log"


def test_run_in_a_terminal_shows_the_cell_and_the_unselected_stages(slow_pipeline):
    ok("run", cwd=slow_pipeline)
    code, drawn = in_terminal("run", "--force", "slow", cwd=slow_pipeline)
    assert code == 0, plain(drawn)
    frames = plain(drawn)
    assert re.search(r"slow\s+running\s+\d+\.\d s\s+cell 1/2", frames), frames
    assert re.search(r"cell 2/2\s+second cell", frames), "the stage's last printed line"
    rows = {ln.split()[0]: ln.split()[1:] for ln in final_frame(drawn)[1:] if ln.strip()}
    assert rows["slow"][0] == "done", rows
    # prep is what slow needs (up to date); report, after it, was not asked for.
    assert rows["prep"][:3] == ["skipped", "up", "to"] and rows["report"] == ["not", "selected"]
    assert all(len(ln) <= 80 for ln in final_frame(drawn))


def test_a_failed_stage_names_its_cell_by_number_the_line_and_the_code(tmp_path):
    write_nb(tmp_path, [(None, "# md: # Load"), ("stage:load", "d = {'a': 1}"),
                        ("stage:use", "def get(k):\n    return d[k]"),
                        (None, "v = 1\nw = get('b')\nprint(w)")])
    make_repo(tmp_path)
    ok("convert", "nb.ipynb", cwd=tmp_path)
    proc = nb2pipe("run", cwd=tmp_path)
    assert proc.returncode == 1
    # Cell 4 as JupyterLab numbers it (index 3), its line 2, not the function's line in cell 3.
    assert ("FAILED   use after" in proc.stdout and "stage 'use' of 'nb.ipynb' failed: cell 4, "
            "line 2 (`w = get('b')`) raised KeyError: 'b'" in proc.stdout), proc.stdout
    assert "'c3'" not in proc.stdout, "the cell is named by its number, not its id"


def test_exec_stage_and_dvc_repro_print_what_the_stage_printed_and_nothing_else(slow_pipeline):
    repro = subprocess.run([str(Path(sys.executable).with_name("dvc")), "repro"],
                           cwd=slow_pipeline, env=env(), capture_output=True, text=True,
                           timeout=600)
    assert repro.returncode == 0, repro.stdout + repro.stderr
    said = repro.stdout + repro.stderr
    for printed in ("warming up\nsecond cell\n", "y is 1\n"):
        assert printed in said, said
    for noise in ("without encryption", "KeyboardInterrupt", "IPKernelApp", "Traceback"):
        assert noise not in said, said
    again = subprocess.run([sys.executable, "-m", "jupyter_pipeline.cli", "exec-stage",
                            "pipelines/nb/report.ipynb", "pipelines/nb/executed/report.ipynb"],
                           cwd=slow_pipeline, env=env(), capture_output=True, text=True,
                           timeout=300)
    assert (again.returncode, again.stdout, again.stderr) == (0, "y is 1\n", "")


LONG_PATH = "reports/" + "a-rather-long-folder-name/" * 3 + "scores-of-every-model.csv"


def test_the_convert_table_reads_at_80_columns_and_never_cuts_a_path(tmp_path):
    names = [f"frame_{k}_of_the_analysis" for k in range(8)]
    write_nb(tmp_path, [
        ("stage:load", "\n".join(f"{n} = {k}" for k, n in enumerate(names))),
        ("stage:report", "import os\nos.makedirs(os.path.dirname(%r), exist_ok=True)\n"
                         "open(%r, 'w').write(str(%s))" % (LONG_PATH, LONG_PATH,
                                                           " + ".join(names)))])
    code, drawn = in_terminal("convert", "nb.ipynb", "--dry-run", cwd=tmp_path)
    assert code == 0, plain(drawn)
    # The pty wraps what is wider than the terminal: the table itself never is, but for a path.
    lines = plain(drawn).splitlines()
    assert all(len(ln) <= 80 for ln in lines if LONG_PATH not in ln), lines
    assert f"  writes    {LONG_PATH}" in lines, "the path is whole, on its own line"
    assert lines[:3] == ["load  (cell 1)",
                         "  hands on  frame_0_of_the_analysis, frame_1_of_the_analysis,",
                         "            frame_2_of_the_analysis, frame_3_of_the_analysis,"], lines
    assert "…" not in plain(drawn)


def test_a_notebook_with_errors_prints_no_table_before_them(tmp_path):
    write_nb(tmp_path, [("stage:a", "x = (")])
    proc = nb2pipe("show", "nb.ipynb", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[0].startswith("error nb.ipynb, cell 1, line 1:"), proc.stdout


UNTAGGED = [(None, "# md: # Title"), (None, "a = 1"), (None, "# md: ## The only sub-part"),
            (None, "b = a + 1"), (None, "# md: # Second"), (None, "print(b)"),
            (None, "# md: # Third"), (None, "print(a)")]


def test_converting_an_untagged_notebook_says_so_and_points_at_headings_and_tags(tmp_path):
    write_nb(tmp_path, UNTAGGED)
    proc = ok("convert", "nb.ipynb", "--dry-run", cwd=tmp_path)
    note = next(ln for ln in proc.stdout.splitlines() if ln.startswith("note "))
    assert "'nb.ipynb' has no stage tags, so the whole notebook is one stage 'main'" in note
    assert "convert with --by-headings (its level-1 headings make 3 stages" in note
    assert "tag cells 'stage:NAME'" in note
    write_nb(tmp_path / "flat", [(None, "a = 1"), (None, "print(a)")])
    flat = ok("convert", "nb.ipynb", "--dry-run", cwd=tmp_path / "flat").stdout
    assert "one stage 'main'" in flat and "--by-headings" not in flat, "no headings to offer"
    tagged = ok("convert", "nb.ipynb", "--dry-run", "--by-headings=1", cwd=tmp_path).stdout
    assert "note " not in tagged


def test_by_headings_without_a_level_picks_the_level_that_makes_sections(tmp_path):
    write_nb(tmp_path, UNTAGGED)
    proc = ok("show", "nb.ipynb", "--by-headings", cwd=tmp_path)
    assert proc.stderr == ("nb2pipe: splitting at the level-1 headings (#), the level that cuts "
                           "'nb.ipynb' into sections; --by-headings=N picks another\n")
    assert [ln.split()[0] for ln in proc.stdout.splitlines() if not ln.startswith(" ")] == [
        "title", "second", "third"]
    forced = ok("show", "nb.ipynb", "--by-headings=2", cwd=tmp_path)
    assert forced.stderr == "" and forced.stdout.splitlines()[0].startswith("the-only-sub-part")


COMMANDS = ["convert", "show", "dag", "tag", "run", "verify", "exec-stage"]


@pytest.mark.parametrize("command", COMMANDS)
def test_help_has_examples_and_says_what_every_option_does(tmp_path, command):
    proc = subprocess.run([sys.executable, "-m", "jupyter_pipeline.cli", command, "--help"],
                          cwd=tmp_path, env={**env(), "COLUMNS": "80"}, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0
    text = proc.stdout
    assert re.search(r"^examples?( \(.*\))?:$", text, re.M) and f"nb2pipe {command}" in \
        text.split("example", 1)[1], text
    assert all(len(ln) <= 80 for ln in text.splitlines()), text
    # Every option and argument has its own words: argparse lists a bare one alone on its line.
    listed = text.split("positional arguments:", 1)[1].split("example", 1)[0]
    for line in listed.splitlines():
        if re.match(r"^  \S", line) and not line.strip().startswith("-h"):
            assert re.search(r"\S  +\S", line.strip()) or _continued(listed, line), line


def _continued(listed: str, line: str) -> bool:
    """An option too long for its column has its help on the next line, indented further."""
    after = listed.split(line + "\n", 1)[1].splitlines()
    return bool(after) and after[0].startswith(" " * 6) and after[0].strip() != ""


def test_a_long_cell_is_said_again_in_a_log_so_it_never_falls_silent():
    import io
    import time

    from rich.console import Console

    from jupyter_pipeline.progress import LineLog
    from jupyter_pipeline.runner.schedule import Event

    out = io.StringIO()
    with LineLog(Console(file=out, width=80), heartbeat=0.4, min_gap=0.1) as log:
        log(Event("train", "running"))
        log(Event("train", "cell", "cell 1/3"))  # right after "running": said a moment later
        log(Event("train", "output", "epoch 1: loss 0.52"))
        time.sleep(1.1)
        log(Event("train", "done", seconds=1.1))
    lines = out.getvalue().splitlines()
    said = [ln for ln in lines if ln.startswith("running  train: cell 1/3 (")]
    assert lines[0] == "running  train" and lines[-1] == "done     train (1.1 s)", lines
    assert len(said) >= 2, lines  # once when it began, again while it still runs
    assert said[0].endswith("s): epoch 1: loss 0.52"), "with the line it printed"
    assert all(not ln.endswith("loss 0.52") for ln in said[1:]), "the same line only once"
