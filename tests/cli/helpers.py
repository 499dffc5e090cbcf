"""Run the real `nb2pipe` command in a subprocess and look at what it left on disk."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Iterable, Sequence

import nbformat

from tests.nbbuild import notebook


def nb2pipe(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jupyter_pipeline.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def ok(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    proc = nb2pipe(*args, cwd=cwd)
    assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stdout + proc.stderr
    return proc


def write_nb(folder: Path, cells: Iterable[tuple[str | Sequence[str] | None, str]],
             name: str = "nb.ipynb") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    nbformat.write(nbformat.from_dict(notebook(cells)), path)
    return path


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` with its bytes, and every folder (as b"<dir>")."""
    return {p.relative_to(folder).as_posix(): b"<dir>" if p.is_dir() else p.read_bytes()
            for p in sorted(folder.rglob("*"))}


def assert_refused(proc: subprocess.CompletedProcess, *expected: str) -> None:
    """Exit 1 with one message on stderr (no traceback, nothing on stdout) holding `expected`."""
    assert proc.returncode == 1, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr
    assert proc.stdout == "", proc.stdout
    assert proc.stderr.startswith("nb2pipe: "), proc.stderr
    assert proc.stderr.count("nb2pipe: ") == 1, proc.stderr
    for text in expected:
        assert text in proc.stderr, (text, proc.stderr)


def assert_usage_error(proc: subprocess.CompletedProcess, *expected: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "usage: nb2pipe" in proc.stderr
    for text in expected:
        assert text in proc.stderr, (text, proc.stderr)


def generated_notebooks(folder: Path) -> list[Path]:
    return sorted((folder / "pipelines").glob("*/*.ipynb"))


def assert_valid_notebooks(paths: Sequence[Path]) -> None:
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)  # raises ValidationError naming the problem
        assert json.loads(path.read_text(encoding="utf-8"))["nbformat"] == 4
