"""What the run-time net (runtime/guard.py) costs a stage, against handing the same value over.

    .venv/bin/python bench/bench_guard.py [--rows 1000000] [--repeat 3]

A watched value is fingerprinted twice per stage (after loading, before saving); the handoff it
guards is saved once and loaded once. Both are measured side by side in one run, on a numeric
frame, a frame of strings and a list of dicts, so the ratio is what matters on a shared machine.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

import numpy as np
import pandas as pd

from jupyter_pipeline.runtime import guard, handoff


def best(f, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    n = args.rows
    values = {
        f"numeric frame {n}x10": pd.DataFrame(np.random.default_rng(0).random((n, 10))),
        f"string frame {n}x1": pd.DataFrame({"s": [f"x{i}" for i in range(n)]}),
        f"list of {n // 10} dicts": [{"id": i, "v": i * 0.5} for i in range(n // 10)],
    }
    print(f"{'value':28} {'2 fingerprints':>15} {'save + load':>12} {'ratio':>6}")
    for label, value in values.items():
        watched = best(lambda: (guard.fingerprint(value), guard.fingerprint(value)), args.repeat)
        with tempfile.TemporaryDirectory() as folder:
            def handed() -> None:
                handoff.save(folder, {"v": value}, stage="bench")
                handoff.load(folder, "v")
            crossing = best(handed, args.repeat)
        print(f"{label:28} {watched:14.3f}s {crossing:11.3f}s {watched / crossing:6.2f}")


if __name__ == "__main__":
    main()
