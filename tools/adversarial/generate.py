"""Cases of the adversarial generator: each construct split into stages in several ways, and pairs
of constructs run one after the other (names may collide: whatever the notebook computes top to
bottom is the truth the pipeline must match). Deterministic: the same seed gives the same cases."""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass

import nbformat

from .constructs import CONSTRUCTS, Cell, Construct


@dataclass(frozen=True)
class Case:
    id: str
    group: str
    cells: tuple[Cell, ...]
    stage_starts: frozenset[int]  # indexes of the cells that start a stage
    files: tuple[tuple[str, str], ...]

    def notebook(self) -> nbformat.NotebookNode:
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}
        stage = 0
        for i, cell in enumerate(self.cells):
            code = nbformat.v4.new_code_cell(cell.source.rstrip("\n"))
            code["id"] = f"c{i}"
            tags = list(cell.tags)
            if i in self.stage_starts:
                stage += 1
                tags.insert(0, f"stage:s{stage}")
            if tags:
                code.metadata["tags"] = tags
            nb.cells.append(code)
        return nb


def _splittable(cells: tuple[Cell, ...]) -> list[int]:
    """Cells that may start a stage: not the parameters cell, not a skipped cell."""
    return [i for i, cell in enumerate(cells)
            if "parameters" not in cell.tags and "skip" not in cell.tags]


def _each(cells: tuple[Cell, ...]) -> frozenset[int]:
    return frozenset(_splittable(cells))


def _random_split(cells: tuple[Cell, ...], rng: random.Random) -> frozenset[int]:
    candidates = _splittable(cells)
    if not candidates:
        return frozenset()
    starts = {candidates[0]} | {i for i in candidates[1:] if rng.random() < 0.5}
    return frozenset(starts)


def _rng(seed: int, key: str) -> random.Random:
    return random.Random(seed * 1_000_003 + zlib.crc32(key.encode()))


def cases(seed: int = 0, pairs: int = 120, constructs: list[Construct] | None = None
          ) -> list[Case]:
    pool = constructs if constructs is not None else CONSTRUCTS
    out: list[Case] = []
    for con in pool:
        out.append(Case(f"{con.name}/each", con.group, con.cells, _each(con.cells), con.files))
        rng = _rng(seed, con.name)
        split = _random_split(con.cells, rng)
        if split != _each(con.cells) and len(split) > 1:
            out.append(Case(f"{con.name}/split{seed}", con.group, con.cells, split, con.files))
    rng = _rng(seed, "pairs")
    seen: set[tuple[str, str]] = set()
    attempts = 0
    while len(seen) < pairs and attempts < pairs * 20 and len(pool) > 1:
        attempts += 1
        a, b = rng.sample(pool, 2)
        if (a.name, b.name) in seen:
            continue
        params = [x for x in a.cells + b.cells if "parameters" in x.tags]
        files = dict(a.files)
        if len(params) > 1 or any(files.get(k, v) != v for k, v in b.files):
            continue
        files.update(dict(b.files))
        seen.add((a.name, b.name))
        cells = a.cells + b.cells
        out.append(Case(f"{a.name}+{b.name}", f"{a.group}+{b.group}", cells,
                        _random_split(cells, rng), tuple(sorted(files.items()))))
    return out
