"""Benchmark: analysis + export of a synthetic 500-code-cell notebook.

    .venv/bin/python bench/bench_convert.py [--cells 500] [--repeat 5]

Measures, each in a fresh child process so nothing is cached ("cold"):
  - analysis + export (pure: the plan of every file, no disk writes), median of --repeat runs;
and in one process:
  - re-analysis after editing one cell (the per-cell cache keeps the other 499), median;
  - for scale, libcst parsing the same cells (what a libcst-based analysis would pay first).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

_CHILD = r"""
import json, sys, time
sys.path.insert(0, {here!r})
import nbformat
from synthetic import synthetic_notebook
nb = json.loads(json.dumps(synthetic_notebook({cells})))
t0 = time.perf_counter()
from jupyter_pipeline.model.notebook import Notebook
from jupyter_pipeline.analysis.analyze import analyze, CellCache
from jupyter_pipeline.export import plan
from jupyter_pipeline.export.layout import Layout
t1 = time.perf_counter()
analysis = analyze(Notebook.from_dict("synthetic.ipynb", nb), cache=CellCache())
t2 = time.perf_counter()
p = plan.build(analysis.notebook, analysis.pipeline, Layout("synthetic.ipynb", "."), None, None)
t3 = time.perf_counter()
assert analysis.ok, [d.message for d in analysis.errors][:3]
print(json.dumps({{"import": t1 - t0, "analysis": t2 - t1, "export": t3 - t2,
                   "stages": len(analysis.pipeline.stages), "files": len(p.all_files())}}))
"""


def cold(cells: int) -> dict:
    out = subprocess.run([sys.executable, "-c", _CHILD.format(here=str(HERE), cells=cells)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def warm_edit(cells: int, repeat: int) -> float:
    from synthetic import synthetic_notebook

    from jupyter_pipeline.analysis.analyze import CellCache, analyze
    from jupyter_pipeline.model.notebook import Notebook

    nb = json.loads(json.dumps(synthetic_notebook(cells)))
    cache = CellCache()
    analyze(Notebook.from_dict("s.ipynb", nb), cache=cache)
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    times = []
    for k in range(repeat):
        cell = code[len(code) // 2]
        cell["source"] = "".join(cell["source"]) + f"\nedit_{k} = {k}\n"
        t = time.perf_counter()
        analyze(Notebook.from_dict("s.ipynb", nb), cache=cache)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def libcst_parse(cells: int) -> float:
    import libcst
    from synthetic import synthetic_notebook

    from jupyter_pipeline.analysis.ipython import to_python

    sources = [to_python("".join(c["source"])) for c in synthetic_notebook(cells)["cells"]
               if c["cell_type"] == "code"]
    t = time.perf_counter()
    for s in sources:
        libcst.parse_module(s)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cells", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    runs = [cold(args.cells) for _ in range(args.repeat)]
    total = [r["analysis"] + r["export"] for r in runs]
    print(f"{args.cells} code cells, {runs[0]['stages']} stages, {runs[0]['files']} files planned")
    print(f"cold analysis + export: median {statistics.median(total) * 1000:.0f} ms "
          f"(analysis {statistics.median(r['analysis'] for r in runs) * 1000:.0f} ms, "
          f"export {statistics.median(r['export'] for r in runs) * 1000:.0f} ms; "
          f"importing nb2pipe {statistics.median(r['import'] for r in runs) * 1000:.0f} ms "
          "not included)")
    print(f"re-analysis after editing one cell: median {warm_edit(args.cells, args.repeat) * 1000:.1f} ms")
    print(f"for scale: libcst.parse_module over the same cells: {libcst_parse(args.cells) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
