"""Pure: the verdict on one cell's outputs, one handed-on value or one file, given what one or more
top-to-bottom runs of the notebook and the pipeline produced. Where the whole runs differ,
the notebook itself is not deterministic there (unseeded randomness, clocks, `id()`): that part
is reported as varying and left out, and everything else is still compared (values that vary
are compared by structure: type, shape, dtype, columns). The integration tests judge with these
same functions (one oracle)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from .compare import Paths, first_stable_difference, varying_across
from .values import same


@dataclass(frozen=True)
class Verdict:
    difference: str | None = None  # the pipeline computes something else
    varies: str | None = None  # the notebook itself differs between two whole runs


def outputs(whole: Sequence[list[str]], piped: list[str]) -> Verdict:
    """`whole`: the cell's normalised outputs (compare.cell_outputs) in each whole run."""
    varying = varying_across(list(whole))
    return Verdict(first_stable_difference(whole[0], piped, varying),
                   varying.describe() if varying else None)


def value(whole: Sequence[Any], piped: Any, paths: Paths = Paths(),
          structure_only: bool = False) -> Verdict:
    varies = next((found for found in (same(whole[0], other, text=paths) for other in whole[1:])
                   if found is not None), None)
    return Verdict(same(whole[0], piped, structure_only or varies is not None, text=paths),
                   varies)


def file(whole: Sequence[bytes | None], piped: bytes | None, text: bool,
         paths: Paths = Paths()) -> Verdict:
    """A file a stage declares as written (None: it does not exist after that run; the first
    whole run decides whether the notebook writes it). Text files
    are compared by content, with the scratch folders' paths normalised; others by existence."""
    if whole[0] is None:
        if piped is None:
            return Verdict("neither the notebook nor the pipeline wrote it")
        return Verdict("the pipeline wrote it, the notebook run top to bottom did not")
    if piped is None:
        return Verdict("the pipeline did not write it")
    if not text:
        return Verdict()
    contents = [_text(c, paths) for c in whole]
    if any(c != contents[0] for c in contents[1:]):
        return Verdict(varies="its content")
    return Verdict("its content differs" if contents[0] != _text(piped, paths) else None)


def _text(content: bytes | None, paths: Paths) -> str | None:
    if content is None:
        return None
    return paths(content.decode("utf-8", errors="surrogateescape"))
