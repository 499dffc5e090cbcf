"""The adversarial generator: `python -m tools.adversarial [--sample N] [--dvc] [-j N]`.

Writes every case under build/adversarial/, runs it whole and as a pipeline, prints a summary
per verdict and per construct group, and writes build/adversarial/report.json. Exit 1 when any
case differs silently or crashes, 0 otherwise (refused and warned are honest outcomes).
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from .check import as_json, check
from .generate import cases

ROOT = Path(__file__).resolve().parents[2]
BAD = ("silent", "crashed")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.adversarial", description=__doc__)
    parser.add_argument("--seed", type=int, default=0, help="which random splits and pairs")
    parser.add_argument("--pairs", type=int, default=120, help="how many pairs of constructs")
    parser.add_argument("--sample", type=int, default=0,
                        help="run only every k-th case so that about N run (0: all)")
    parser.add_argument("--match", default="", help="run only cases whose id contains this")
    parser.add_argument("--group", default="", help="run only cases of this construct group")
    parser.add_argument("--dvc", action="store_true", help="also run each case with dvc repro")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="cases run at once")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "adversarial")
    args = parser.parse_args(argv)
    todo = [c for c in cases(args.seed, args.pairs)
            if args.match in c.id and (not args.group or c.group.startswith(args.group))]
    if args.sample and len(todo) > args.sample:
        step = len(todo) / args.sample
        todo = [todo[int(i * step)] for i in range(args.sample)]
    engines = ("nb2pipe run", "dvc repro") if args.dvc else ("nb2pipe run",)
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    outcomes = []
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(check, case, args.out, engines) for case in todo]
        for future in as_completed(futures):
            for o in future.result():
                outcomes.append(o)
                if o.verdict != "same":
                    print(f"{o.verdict:8} {o.engine:11} {o.id}", flush=True)
    outcomes.sort(key=lambda o: (o.id, o.engine))
    (args.out / "report.json").write_text(as_json(outcomes), encoding="utf-8")
    by_verdict = collections.Counter(o.verdict for o in outcomes)
    by_group: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for o in outcomes:
        by_group[o.group.split("+")[0]][o.verdict] += 1
    print(f"\n{len(todo)} cases, {len(outcomes)} runs in {time.monotonic() - started:.0f} s: "
          + ", ".join(f"{n} {v}" for v, n in sorted(by_verdict.items())))
    for group, counts in sorted(by_group.items()):
        print(f"  {group:12} " + ", ".join(f"{n} {v}" for v, n in sorted(counts.items())))
    print(f"details: {args.out / 'report.json'} (folders of cases that were not 'same' are kept)")
    return 1 if any(by_verdict[v] for v in BAD) else 0


if __name__ == "__main__":
    sys.exit(main())
