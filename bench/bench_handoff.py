"""Benchmark handing values between stages: save + load of a large frame and array.

    .venv/bin/python bench/bench_handoff.py [--rows 1000000] [--repeat 5]

A frame of `--rows` rows and 10 columns as data-science notebooks hold them (6 float64, 2
int64, a string column, a datetime column), a float64 array of the same size, and the same
frame with a MultiIndex (which takes the exact format). Each is saved by `handoff.save` into a
fresh folder and loaded back in a fresh cache, the median of `--repeat` rounds is printed, with
the format chosen.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from jupyter_pipeline.runtime import handoff  # noqa: E402


def frame(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    cols = {f"f{i}": rng.random(rows) for i in range(6)}
    cols.update({f"i{i}": rng.integers(0, 1000, rows) for i in range(2)})
    cols["s"] = pd.Series(rng.integers(0, 50, rows)).astype(str).radd("name-")
    cols["t"] = pd.date_range("2020-01-01", periods=rows, freq="min")
    return pd.DataFrame(cols)


def round_trip(value: object, repeat: int) -> tuple[float, float, str]:
    saves, loads = [], []
    fmt = ""
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            handoff.save(tmp, {"v": value}, stage="bench")
            saves.append(time.perf_counter() - start)
            handoff._loaded.clear()
            start = time.perf_counter()
            handoff.load(tmp, "v")
            loads.append(time.perf_counter() - start)
            fmt = json.loads((Path(tmp) / handoff.INDEX).read_text())["v"]["format"]
    return statistics.median(saves), statistics.median(loads), fmt


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    df = frame(args.rows)
    cases = {
        f"frame {args.rows} x 10": df,
        f"frame {args.rows} x 10, MultiIndex": df.set_index(["i0", "i1"]),
        f"float64 array {args.rows} x 10": np.random.default_rng(0).random((args.rows, 10)),
    }
    print("| value | format | save | load | save + load |")
    print("|---|---|---|---|---|")
    for label, value in cases.items():
        save, load, fmt = round_trip(value, args.repeat)
        print(f"| {label} | {fmt} | {save * 1000:.0f} ms | {load * 1000:.0f} ms "
              f"| {(save + load) * 1000:.0f} ms |")


if __name__ == "__main__":
    main()
