"""Build the old-library environments the real notebooks in ../shared/corpus were written for,
and register each as a Jupyter kernel inside nb2pipe's own environment (never in $HOME).

    python tools/corpus_envs.py [--env A|B|all] [--prefix .venv]

Each environment is `.envs/corpus-<a|b>`; it is rebuilt only when its requirement list changes
(a marker file holds their hash). nb2pipe itself is installed into it without dependencies, so
the generated stages can import `jupyter_pipeline.runtime` in that kernel.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import time
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# From ../shared/corpus/SOURCES.md, plus what a kernel and nb2pipe's handoffs need.
ENVS = {
    "a": [
        "numpy==1.26.4", "pandas==2.2.3", "matplotlib==3.7.5", "scikit-learn==1.5.2",
        "scipy==1.13.1", "seaborn==0.13.2", "ipython<9", "ipykernel>=6.29,<7", "pyarrow==16.1.0",
    ],
    "b": [
        "numpy==1.23.5", "pandas==1.5.3", "seaborn==0.11.2", "scikit-learn==1.1.3",
        "matplotlib==3.7.5", "scipy==1.10.1", "ipython<9", "ipykernel>=6.29,<7",
        "pyarrow==12.0.1",
    ],
}


def _run(cmd: list[str]) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-3000:])
        raise SystemExit(f"corpus_envs: failed: {' '.join(cmd)}")


def build(name: str, prefix: Path) -> None:
    folder = REPO / ".envs" / f"corpus-{name}"
    requirements = ENVS[name]
    marker = folder / ".nb2pipe-requirements"
    digest = hashlib.sha256("\n".join(requirements).encode()).hexdigest()
    kernel = f"nb2pipe-corpus-{name}"
    kernel_json = prefix / "share" / "jupyter" / "kernels" / kernel / "kernel.json"
    if marker.exists() and marker.read_text() == digest and kernel_json.exists():
        print(f"corpus env {name}: up to date ({folder.relative_to(REPO)})")
        return
    start = time.monotonic()
    print(f"corpus env {name}: building {folder.relative_to(REPO)} ...", flush=True)
    if not (folder / "bin" / "python").exists():
        venv.create(folder, with_pip=True)
    py = str(folder / "bin" / "python")
    pip = [py, "-m", "pip", "--disable-pip-version-check", "-q"]
    _run(pip + ["install", *requirements])
    _run(pip + ["install", "--no-deps", "-e", str(REPO)])
    _run([py, "-m", "ipykernel", "install", "--prefix", str(prefix), "--name", kernel,
          "--display-name", f"Python (nb2pipe corpus env {name.upper()})"])
    marker.write_text(digest)
    print(f"corpus env {name}: ready in {time.monotonic() - start:.0f} s, kernel '{kernel}'")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--env", choices=["a", "b", "all", "A", "B"], default="all")
    ap.add_argument("--prefix", default=sys.prefix,
                    help="environment whose Jupyter sees the kernels (default: this Python's)")
    args = ap.parse_args()
    names = ["a", "b"] if args.env.lower() == "all" else [args.env.lower()]
    for name in names:
        build(name, Path(args.prefix).resolve())


if __name__ == "__main__":
    main()
