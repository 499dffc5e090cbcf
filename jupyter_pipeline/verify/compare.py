"""Pure: cell outputs as a reader compares them, with volatile parts (timings, memory addresses,
the kernel's cell file names, the scratch folders' paths) normalised, and the first difference
between two runs of a cell, leaving out the lines the notebook itself changes between runs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from .values import same  # noqa: F401 - the value comparison, where callers look for it

_ADDRESS = re.compile(r"0x[0-9a-fA-F]{6,}")
_TIMING_LINE = re.compile(
    r"^(CPU times:.*|Wall time:.*|.*\bper loop \(mean ± std\. dev\..*|"
    r"\d+(\.\d+)? ?[nµum]?s ± \d+(\.\d+)? ?[nµum]?s.*)$", re.MULTILINE)
# %timeit's note when one of its runs was slow (a loaded machine, a cache warming up): printed
# in some runs and not others, it is timing too, so it goes.
_TIMEIT_NOTE = re.compile(r"^The slowest run took [\d.]+ times longer than the fastest\..*\n?",
                          re.MULTILINE)
# Where a warning points at the user's code: the kernel's file for the cell, which the pipeline
# names differently (another process, and a function may be defined again in the load cell).
_CELL_FILE = re.compile(r"(/[^\s:]*)?/ipykernel_\d+/\d+\.py:\d+")


@dataclass(frozen=True)
class Paths:
    """Each run works in a scratch copy of the user's folder: what it prints about its own folder
    (os.getcwd(), absolute paths) is shown as the user's folder, as in the notebook itself."""
    replacements: tuple[tuple[str, str], ...] = ()

    def __call__(self, text: str) -> str:
        for scratch, user in self.replacements:  # longest first: a folder before its parent
            if scratch in text:
                text = text.replace(scratch, user)
        return text

    @staticmethod
    def of(scratch_to_user: Mapping[str, str]) -> "Paths":
        pairs = sorted(scratch_to_user.items(), key=lambda kv: -len(kv[0]))
        return Paths(tuple((s, u) for s, u in pairs if s and s != u))


def normalise(text: str, paths: Paths = Paths()) -> str:
    text = paths(text)
    text = _ADDRESS.sub("0x…", text)
    text = _CELL_FILE.sub("<cell>", text)
    text = _TIMEIT_NOTE.sub("", text)
    text = _TIMING_LINE.sub("<timing>", text)
    return text


def cell_outputs(outputs: Iterable[Mapping[str, Any]], paths: Paths = Paths()) -> list[str]:
    """What a reader compares: streams, text/plain results and errors, normalised."""
    shown: list[str] = []
    for out in outputs:
        kind = out.get("output_type")
        if kind == "stream":
            shown.append(f"[{out.get('name')}] {normalise(_text(out.get('text')), paths)}")
        elif kind in ("execute_result", "display_data"):
            data = out.get("data") or {}
            if "text/plain" in data:
                shown.append(normalise(_text(data["text/plain"]), paths))
        elif kind == "error":
            shown.append(f"{out.get('ename')}: {normalise(str(out.get('evalue')), paths)}")
    # Consecutive stream chunks are split arbitrarily by the kernel: join them.
    merged: list[str] = []
    for item in shown:
        if merged and item.startswith("[") and merged[-1].startswith(item[:item.find("]") + 1]):
            merged[-1] += item[item.find("]") + 2:]
        else:
            merged.append(item)
    return merged


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


def first_output_difference(whole: list[str], piped: list[str]) -> str | None:
    if whole == piped:
        return None
    for i, (a, b) in enumerate(zip(whole, piped)):
        if a != b:
            for n, (la, lb) in enumerate(zip(a.splitlines(), b.splitlines()), start=1):
                if la != lb:
                    return f"output {i + 1}, line {n}: notebook {la!r}, pipeline {lb!r}"
            return f"output {i + 1}: notebook {a[:80]!r}, pipeline {b[:80]!r}"
    return f"notebook shows {len(whole)} output(s), pipeline {len(piped)}"


@dataclass(frozen=True)
class Varying:
    """Where two whole runs of one cell differ: the (output, line) places, or every line when the
    runs do not even show the same number of outputs and lines."""
    places: frozenset[tuple[int, int]]
    everything: bool = False

    def describe(self) -> str:
        if self.everything:
            return "its outputs"
        first = min(self.places)
        more = f" and {len(self.places) - 1} more line(s)" if len(self.places) > 1 else ""
        return f"output {first[0] + 1}, line {first[1] + 1}{more}"


def varying_lines(first: list[str], second: list[str]) -> Varying | None:
    """None when two whole runs of a cell showed the same."""
    if first == second:
        return None
    a_lines, b_lines = [o.splitlines() for o in first], [o.splitlines() for o in second]
    if [len(x) for x in a_lines] != [len(x) for x in b_lines]:
        return Varying(frozenset(), everything=True)
    return Varying(frozenset((i, n) for i, (x, y) in enumerate(zip(a_lines, b_lines))
                             for n, (la, lb) in enumerate(zip(x, y)) if la != lb))


def varying_across(runs: list[list[str]]) -> Varying | None:
    """Where any of several whole runs of a cell differs from the first (None: all alike)."""
    found = [v for v in (varying_lines(runs[0], other) for other in runs[1:]) if v is not None]
    if not found:
        return None
    if any(v.everything for v in found):
        return Varying(frozenset(), everything=True)
    return Varying(frozenset().union(*(v.places for v in found)))


def first_stable_difference(whole: list[str], piped: list[str], varying: Varying | None
                            ) -> str | None:
    """The first difference on a line that every whole run showed alike."""
    if varying is None:
        return first_output_difference(whole, piped)
    if varying.everything:
        return None
    blank = [[("" if (i, n) in varying.places else ln) for n, ln in enumerate(o.splitlines())]
             for i, o in enumerate(whole)]
    piped_lines = [o.splitlines() for o in piped]
    if [len(x) for x in blank] != [len(x) for x in piped_lines]:
        return first_output_difference(whole, piped)
    masked = [[("" if (i, n) in varying.places else ln) for n, ln in enumerate(o)]
              for i, o in enumerate(piped_lines)]
    if masked == blank:
        return None
    return first_output_difference(["\n".join(o) for o in blank], ["\n".join(o) for o in masked])
