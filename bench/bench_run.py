"""Benchmark the embedded runner against papermill (whole notebook) and DVC, side by side.

    .venv/bin/python bench/bench_run.py [--skip-gb]

All in one run on this machine, so the ratios are what matters:
  1. first full `nb2pipe run` vs the notebook top to bottom with papermill, per example:
     extra time per stage = (pipeline - notebook) / stages;
  2. `-j 2` on the branching example, and on a synthetic diamond whose branches compute for
     ~1.5 s each, vs their notebook time;
  3. nothing to do: `nb2pipe run` vs `dvc repro` (median of 5);
  4. after changing one parameter: the time of `nb2pipe run`;
  5. hashing a 1 GB dependency the second time (size/mtime/inode cache).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ENV = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
           GIT_AUTHOR_NAME="b", GIT_AUTHOR_EMAIL="b@b", GIT_COMMITTER_NAME="b",
           GIT_COMMITTER_EMAIL="b@b")


def sh(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=ENV, check=True, capture_output=True)
    return time.perf_counter() - start


def whole_notebook(name: str, folder: Path) -> float:
    """The notebook top to bottom with papermill's Python API, in a process that, like
    `nb2pipe`, skips jsonschema's rfc3987_syntax import (1.0-1.4 s that the papermill command
    pays once jupyter_server is installed): the fair baseline for the per-stage cost."""
    code = ("import sys; sys.modules['rfc3987_syntax'] = None; import papermill; "
            f"papermill.execute_notebook({name + '.ipynb'!r}, 'whole-out.ipynb', progress_bar=False)")
    took = sh([sys.executable, "-c", code], folder)
    (folder / "whole-out.ipynb").unlink()
    return took


def project(name: str, root: Path) -> Path:
    folder = root / name
    shutil.copytree(REPO / "example_notebooks" / name, folder)
    sh(["git", "init", "-q"], folder)
    sh([str(BIN / "dvc"), "init", "-q"], folder)
    sh([str(BIN / "nb2pipe"), "convert", f"{name}.ipynb"], folder)
    sh(["git", "add", "-A"], folder)
    sh(["git", "commit", "-qm", "x"], folder)
    return folder


BRANCH_WORK = "sum(i * i % 7 for i in range(20_000_000))"  # ~1.5 s of one core


def synthetic_branching(root: Path) -> Path:
    """A diamond whose two branches each compute for ~1.5 s: what `-j 2` is for."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    cells = [("load", "import numpy as np\nimport pandas as pd\n"
                      "df = pd.DataFrame(np.random.default_rng(0).normal(size=(1000, 4)))"),
             ("left", f"left = df[0].sum() + {BRANCH_WORK}"),
             ("right", f"right = df[1].sum() + {BRANCH_WORK}"),
             ("join", "total = left + right\nprint(total)")]
    nb = new_notebook(cells=[new_code_cell(src, metadata={"tags": [f"stage:{tag}"]})
                             for tag, src in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    folder = root / "diamond"
    folder.mkdir()
    nbformat.write(nb, folder / "diamond.ipynb")
    sh(["git", "init", "-q"], folder)
    sh([str(BIN / "dvc"), "init", "-q"], folder)
    sh([str(BIN / "nb2pipe"), "convert", "diamond.ipynb"], folder)
    return folder


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--skip-gb", action="store_true")
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="nb2pipe-bench-"))
    print("| example | stages | notebook (papermill command) | notebook (papermill API, fair) | "
          "nb2pipe run -j1 | extra per stage (vs fair) |")
    print("|---|---|---|---|---|---|")
    for name in ("wine", "magics", "branching"):
        folder = project(name, root)
        command = sh([str(BIN / "papermill"), f"{name}.ipynb", "/dev/null", "--no-progress-bar"],
                     folder)
        whole = whole_notebook(name, folder)
        for p in ("reports", "plots", "data/raw.csv", "data/notes.txt"):
            target = folder / p
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists() and name != "wine":
                target.unlink()
        piped = sh([str(BIN / "nb2pipe"), "run", "-j", "1"], folder)
        stages = (folder / "dvc.yaml").read_text().count("cmd:")
        print(f"| {name} | {stages} | {command:.1f} s | {whole:.1f} s | {piped:.1f} s | "
              f"{(piped - whole) / stages:.2f} s |")
    branching = project("branching", root / "j2")
    whole = whole_notebook("branching", branching)
    shutil.rmtree(branching / "data")
    parallel = sh([str(BIN / "nb2pipe"), "run", "-j", "2"], branching)
    print(f"\n-j 2 on the branching example: {parallel:.1f} s vs the notebook {whole:.1f} s "
          f"(ratio {parallel / whole:.2f})")
    diamond = synthetic_branching(root)
    whole = whole_notebook("diamond", diamond)
    parallel = sh([str(BIN / "nb2pipe"), "run", "-j", "2"], diamond)
    print(f"-j 2 on a synthetic diamond with ~1.5 s of compute per branch: {parallel:.1f} s vs the "
          f"notebook {whole:.1f} s (ratio {parallel / whole:.2f})")
    ours = statistics.median(sh([str(BIN / "nb2pipe"), "run"], branching) for _ in range(5))
    dvc = statistics.median(sh([str(BIN / "dvc"), "repro"], branching) for _ in range(5))
    print(f"nothing to do: nb2pipe run {ours * 1000:.0f} ms, dvc repro {dvc * 1000:.0f} ms "
          f"(ratio {ours / dvc:.2f})")
    params = branching / "params.yaml"
    params.write_text(params.read_text().replace("n_rows: 200", "n_rows: 150"))
    changed = sh([str(BIN / "nb2pipe"), "run", "-j", "2"], branching)
    print(f"after changing n_rows (all 4 stages read it or follow): {changed:.1f} s")
    if not args.skip_gb:
        sys.path.insert(0, str(REPO))
        from jupyter_pipeline.runner.lock import HashCache, hash_entry

        big = root / "big.bin"
        with open(big, "wb") as f:
            for _ in range(1024):
                f.write(os.urandom(1 << 20))
        cache = HashCache(root)
        t = time.perf_counter()
        hash_entry(big, "big.bin", cache)
        first = time.perf_counter() - t
        cache.save()
        cache = HashCache(root)
        t = time.perf_counter()
        hash_entry(big, "big.bin", cache)
        second = time.perf_counter() - t
        print(f"hashing a 1 GB dependency: first {first:.2f} s, second {second * 1000:.1f} ms")
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
