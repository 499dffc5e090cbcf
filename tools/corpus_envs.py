"""Build the old-library environments the real notebooks in ../shared/corpus were written for,
and register each as a Jupyter kernel inside nb2pipe's own environment (never in $HOME).

    python tools/corpus_envs.py [--env A|B|all] [--prefix .venv] [--force]

Each environment is `.envs/corpus-<a|b>` under the repository root. A finished environment holds a
marker file with a hash of its requirement list; a run with the same list and a working interpreter
does nothing (except re-registering a missing kernelspec). Any other state is rebuilt from scratch,
so an environment is always exactly what the list below says. nb2pipe itself is installed into it
without dependencies (`pip install --no-deps -e <repo>`), so generated stages can import
`jupyter_pipeline.runtime` in that kernel.

The kernels are `nb2pipe-corpus-a` / `nb2pipe-corpus-b`, written to
`<prefix>/share/jupyter/kernels/`, where <prefix> is --prefix, else the virtual environment running
this script, else `<repo>/.venv`. Standard library only: it runs before anything is installed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ENVS_DIR = REPO / ".envs"
MARKER = ".nb2pipe-complete"

# Library pins from ../shared/corpus/SOURCES.md, plus what the kernel and nb2pipe's handoffs need.
# All have cp311 manylinux wheels, so nothing is compiled. Pins beyond SOURCES.md:
# - ipykernel 6.x (6.31.0, the last of the line), ipython < 9: the kernel stack these old
#   matplotlib/numpy releases were used with; ipykernel 7 rewrote the event loop. pyzmq, tornado,
#   jupyter_client don't depend on numpy and are left to the resolver.
# - pyarrow: DataFrame handoffs are saved as parquet. 16.1.0 is built for numpy 1.x and 2.x
#   (fine with 1.26); for numpy 1.23.5 use 12.0.1, a release from pandas 1.5's time.
# - env B scipy 1.10.1: scikit-learn 1.1.3 needs scipy, and an unpinned one would be a
#   numpy-2-era release; 1.10.1 supports numpy 1.19.5-1.26 and has cp311 wheels.
# - matplotlib 3.7.5: the last 3.7 patch release (SOURCES.md says 3.7).
# - env A statsmodels 0.14.6 (SOURCES.md: "env A + statsmodels", its notebooks come from the
#   v0.14.6 tag). It needs numpy >= 1.22.3, scipy >= 1.8, pandas >= 1.4 (!= 2.1.0) and patsy,
#   all met by env A's pins, so the pins of the other notebooks do not move; env B has none.
# Every corpus notebook, including kale-titanic's `skip`-tagged plots (seaborn 0.11.2 `distplot`,
# positional `catplot`), runs whole with papermill in its environment as pinned here.
ENVS: dict[str, list[str]] = {
    "a": [
        "numpy==1.26.4", "pandas==2.2.3", "matplotlib==3.7.5", "scikit-learn==1.5.2",
        "scipy==1.13.1", "seaborn==0.13.2", "pyarrow==16.1.0", "statsmodels==0.14.6",
        "ipython<9", "ipykernel==6.31.0",
    ],
    "b": [
        "numpy==1.23.5", "pandas==1.5.3", "matplotlib==3.7.5", "scikit-learn==1.1.3",
        "scipy==1.10.1", "seaborn==0.11.2", "pyarrow==12.0.1",
        "ipython<9", "ipykernel==6.31.0",
    ],
}
# import name of each pinned distribution, for the check after installing
IMPORT_NAMES = {"scikit-learn": "sklearn"}


def _say(msg: str) -> None:
    print(f"corpus_envs: {msg}", flush=True)


def _run(cmd: list[str], what: str) -> str:
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
        raise SystemExit(f"corpus_envs: {what} failed (exit {proc.returncode}): {' '.join(cmd)}")
    return proc.stdout


def _size_mb(folder: Path) -> float:
    total = 0
    for root, _dirs, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total / 1e6


def _default_prefix() -> Path:
    if sys.prefix != sys.base_prefix:  # running inside a virtual environment: nb2pipe's own
        return Path(sys.prefix)
    if (REPO / ".venv" / "bin" / "python").exists():
        return REPO / ".venv"
    raise SystemExit("corpus_envs: not run from a virtual environment and no .venv in the repo: "
                     "pass --prefix <the environment whose Jupyter should see the kernels>")


def _digest(requirements: list[str], with_repo: bool) -> str:
    text = "\n".join(requirements + [f"python {sys.version_info[0]}.{sys.version_info[1]}",
                                     f"nb2pipe editable {with_repo}"])
    return hashlib.sha256(text.encode()).hexdigest()


def _works(py: Path) -> bool:
    try:
        return subprocess.run([str(py), "-c", "import ipykernel"],
                              capture_output=True).returncode == 0
    except OSError:
        return False


def _kernel_ok(kernel_json: Path, py: Path) -> bool:
    try:
        return json.loads(kernel_json.read_text())["argv"][0] == str(py)
    except (OSError, ValueError, KeyError, IndexError):
        return False


def _register(py: Path, name: str, kernel: str, prefix: Path) -> None:
    _run([str(py), "-m", "ipykernel", "install", "--prefix", str(prefix), "--name", kernel,
          "--display-name", f"Python 3.11 (nb2pipe corpus env {name.upper()})"],
         "kernel registration")
    _say(f"env {name}: kernel '{kernel}' -> {prefix}/share/jupyter/kernels/{kernel}")


def _check_versions(py: Path, requirements: list[str]) -> str:
    pinned = {r.split("==")[0]: r.split("==")[1] for r in requirements if "==" in r}
    code = ("import importlib, json, sys\n"
            f"names = {json.dumps({d: IMPORT_NAMES.get(d, d) for d in pinned})}\n"
            "print(json.dumps({d: importlib.import_module(m).__version__ "
            "for d, m in names.items()}))\n")
    found = json.loads(_run([str(py), "-c", code], "import check").strip().splitlines()[-1])
    wrong = {d: (v, found[d]) for d, v in pinned.items() if found[d] != v}
    if wrong:
        raise SystemExit(f"corpus_envs: installed versions differ from the pins: {wrong}")
    return " ".join(f"{d} {v}" for d, v in found.items())


def build(name: str, prefix: Path, force: bool = False) -> None:
    folder = ENVS_DIR / f"corpus-{name}"
    py = folder / "bin" / "python"
    requirements = ENVS[name]
    kernel = f"nb2pipe-corpus-{name}"
    kernel_json = prefix / "share" / "jupyter" / "kernels" / kernel / "kernel.json"
    with_repo = (REPO / "pyproject.toml").exists()
    digest = _digest(requirements, with_repo)
    marker = folder / MARKER

    if not force and marker.exists() and marker.read_text().strip() == digest and _works(py):
        if _kernel_ok(kernel_json, py):
            _say(f"env {name}: up to date (.envs/corpus-{name}, kernel '{kernel}')")
        else:
            _register(py, name, kernel, prefix)
        return

    start = time.monotonic()
    _say(f"env {name}: creating .envs/corpus-{name} from scratch")
    if folder.exists():
        shutil.rmtree(folder)
    venv.create(folder, with_pip=True, clear=True, symlinks=True)
    pip = [str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    _say(f"env {name}: pip install {' '.join(requirements)}")
    _run(pip + requirements, "pip install")
    if with_repo:
        _say(f"env {name}: pip install --no-deps -e {REPO}")
        _run(pip + ["--no-deps", "-e", str(REPO)], "editable install of nb2pipe")
        _run([str(py), "-c", "import jupyter_pipeline.runtime"], "import jupyter_pipeline.runtime")
    else:
        _say(f"env {name}: {REPO / 'pyproject.toml'} is missing: nb2pipe NOT installed "
             "(re-run once it exists)")
    _say(f"env {name}: {_check_versions(py, requirements)}")
    _register(py, name, kernel, prefix)
    marker.write_text(digest + "\n")
    _say(f"env {name}: ready in {time.monotonic() - start:.0f} s, {_size_mb(folder):.0f} MB")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--env", type=str.lower, choices=["a", "b", "all"], default="all",
                    help="which environment to build (default: all)")
    ap.add_argument("--prefix", type=Path, default=None,
                    help="environment whose Jupyter should see the kernels "
                         "(default: the virtual environment running this, else <repo>/.venv)")
    ap.add_argument("--force", action="store_true", help="rebuild even if up to date")
    args = ap.parse_args(argv)
    prefix = (args.prefix or _default_prefix()).resolve()
    for name in (["a", "b"] if args.env == "all" else [args.env]):
        build(name, prefix, args.force)


if __name__ == "__main__":
    main()
