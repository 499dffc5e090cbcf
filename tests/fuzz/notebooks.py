"""Hypothesis strategies for notebooks a fuzzer throws at nb2pipe: generated from pieces of the
code people write in notebooks (so that stages, flows, files and parameters connect), with the
odd input editors and tools produce mixed in (lone surrogates, control characters, syntax errors,
deep nesting, bad tags), and real notebooks of the repository mutated at the JSON level."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
CORPUS = sorted(p for folder in ("example_notebooks", "tests/data/notebooks")
                for p in (ROOT / folder).rglob("*.ipynb") if "pipelines" not in p.parts)

NAMES = st.sampled_from(["a", "b", "df", "model", "x", "y", "n", "data", "rng", "f", "C"])
LITERALS = st.one_of(
    st.integers(-5, 10**6).map(str), st.floats(allow_nan=True).map(repr),
    st.sampled_from(["True", "None", "'two words'", "[1, 2]", "{'k': 1}", "1e-3", "(1,)",
                     "'\\ud800'", "b'x'", "...", "'\\x0c'"]),
    st.text(max_size=8).map(repr))
WEIRD_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=30)
PATHS = st.sampled_from(["data/in.csv", "out.csv", "../up.csv", "/abs/x.csv", "a b.json",
                         "[red]x:a:.csv", "dir/", "", "data/{}.csv", "\\ud800.csv"])
STAGE_NAMES = st.one_of(st.sampled_from(["load", "train", "eval", "a", "b", "x-1", "t_2"]),
                        st.from_regex(r"[a-z0-9][a-z0-9_-]{0,12}", fullmatch=True),
                        st.text(max_size=12), st.just("a" * 250))
TAGS = st.one_of(
    STAGE_NAMES.map(lambda n: f"stage:{n}"),
    st.sampled_from(["parameters", "skip", "metrics", "plots", "imports", "functions",
                     "pipeline-parameters", "pipeline-metrics", "stage:", "stage:a:b",
                     "injected-parameters", "nb2pipe-load"]),
    STAGE_NAMES.map(lambda n: f"after:{n}"), STAGE_NAMES.map(lambda n: f"block:{n}"),
    STAGE_NAMES.map(lambda n: f"step:{n}"), STAGE_NAMES.map(lambda n: f"prev:{n}"),
    st.text(max_size=10))


@st.composite
def statement(draw) -> str:
    n, m = draw(NAMES), draw(NAMES)
    lit, path = draw(LITERALS), draw(PATHS)
    return draw(st.sampled_from([
        f"{n} = {lit}", f"{n} = {m}", f"{n} += {lit}", f"print({n})", f"{n}.append({m})",
        f"{n}[0] = {m}", f"{n}.attr = {lit}", f"del {n}", f"global {n}",
        "import numpy as np", "import pandas as pd", "from math import sqrt as " + n,
        f"def {n}(v=1):\n    return v + {m}", f"class {n.upper()}:\n    z = {lit}",
        f"for {n} in [{m}]:\n    {n}.update({{}})", f"{n} = [{m} for {m} in range(3)]",
        f"with open({path!r}, 'w') as fh:\n    fh.write(str({n}))",
        f"{n} = open({path!r}).read()", f"{n} = pd.read_csv({path!r})",
        f"{n}.to_csv({path!r})", f"{n} = pd.read_csv(f'data/{{{m}}}.csv')",
        "%matplotlib inline", f"!echo {lit}", f"%time {n} = 1", "%%time\nx = 1",
        "np.random.seed(0)", "import random\nrandom.seed(1)",
        f"pd.set_option('display.max_rows', {lit})", f"pd.set_option('x', f\"{{'\x0c'}}\")",
        f"exec('{n} = 1')", f"globals()['{n}'] = {lit}", f"{n} = lambda q: q + {m}",
        f"if {n}:\n    {m} = 1\nelse:\n    {m} = 2", f"try:\n    {n}\nexcept Exception:\n    pass",
        f"({n} := {lit})", f"match {n}:\n    case 1:\n        {m} = 2",
        f"async def {n}():\n    await {m}", f"yield {n}", f"{n} = (" * 5 + "1" + ")" * 5,
        "(" * 120 + ")" * 120, f"{n} = " + "[" * 60 + "]" * 60, "x = (1,\n",
        f"{n} = {m}.copy()", f"{m} = {n}.dropna(inplace=True)", f"assert {n}",
        f"@{m}\ndef g():\n    pass", f"{n}, {m} = {m}, {n}", "\t x = 1", "x = 1\r\ny = x",
        f"{n} = '''multi\nline'''", "import os\nos.chdir('..')", "raise SystemExit",
    ]))


@st.composite
def cell(draw) -> dict:
    kind = draw(st.sampled_from(["code"] * 8 + ["markdown", "raw"]))
    if kind == "code":
        parts = draw(st.lists(statement(), min_size=0, max_size=4))
        if draw(st.integers(0, 20)) == 0:
            parts.append(draw(WEIRD_TEXT))
        source = "\n".join(parts)
    else:
        source = draw(st.sampled_from(["## Load data", "# Train", "### x", "text", "## "]))
        source += draw(st.sampled_from(["", " more", "\n\nbody", " \ud800"]))
    tags = draw(st.lists(TAGS, max_size=3, unique=True))
    as_lines = draw(st.booleans())
    cell = {"cell_type": kind, "metadata": {"tags": tags} if tags else {},
            "source": source.splitlines(keepends=True) if as_lines else source}
    if kind == "code":
        cell.update(outputs=[], execution_count=None)
    if draw(st.booleans()):
        cell["id"] = draw(st.one_of(st.from_regex(r"[a-z0-9-]{1,12}", fullmatch=True),
                                    st.just("nb2pipe-save"), st.just("c0")))
    return cell


@st.composite
def generated_notebook(draw) -> dict:
    cells = draw(st.lists(cell(), max_size=12))
    if cells and draw(st.booleans()):
        cells[0]["cell_type"] = "code"
        cells[0]["metadata"] = {"tags": ["parameters"]}
        cells[0]["source"] = "\n".join(draw(st.lists(
            st.tuples(NAMES, LITERALS).map(lambda t: f"{t[0]} = {t[1]}"), max_size=4)))
        cells[0].update(outputs=[], execution_count=None)
    metadata = draw(st.sampled_from([
        {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        {}, {"kernelspec": {"name": "nonexistent"}}, {"kernelspec": "python3"},
        {"nb2pipe": {"notebook": "x.ipynb", "stage": "a"}}]))
    return {"cells": cells, "metadata": metadata, "nbformat": 4,
            "nbformat_minor": draw(st.sampled_from([4, 5, 0]))}


JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
              st.text(max_size=6)),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=8)


def _corpus() -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in CORPUS]


_LOADED: list[dict] = []


@st.composite
def mutated_notebook(draw) -> dict:
    """A real notebook of the repository (or a generated one) with a few JSON-level mutations:
    what a damaged file, another editor or a careless merge produces."""
    if not _LOADED:
        _LOADED.extend(_corpus())
    base = draw(st.one_of(st.sampled_from(_LOADED), generated_notebook()) if _LOADED
                else generated_notebook())
    nb = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 4))):
        cells = nb.get("cells") if isinstance(nb, dict) else None
        choice = draw(st.integers(0, 9))
        if isinstance(cells, list) and cells and choice < 7:
            i = draw(st.integers(0, len(cells) - 1))
            target = cells[i]
            if choice == 0:
                cells.insert(draw(st.integers(0, len(cells))), copy.deepcopy(target))
            elif choice == 1:
                del cells[i]
            elif choice == 2 and isinstance(target, dict):
                meta = target.get("metadata")
                if not isinstance(meta, dict):  # an earlier mutation put something else there
                    meta = target["metadata"] = {}
                meta["tags"] = draw(st.one_of(st.lists(TAGS, max_size=3), JSON_VALUES))
            elif choice == 3 and isinstance(target, dict):
                text = target.get("source", "")
                text = "".join(map(str, text)) if isinstance(text, list) else str(text)
                at = draw(st.integers(0, len(text)))
                target["source"] = text[:at] + draw(st.one_of(WEIRD_TEXT, statement())) + \
                    text[at + draw(st.integers(0, 5)):]
            elif choice == 4 and isinstance(target, dict):
                key = draw(st.sampled_from(["source", "metadata", "cell_type", "id", "outputs"]))
                target[key] = draw(JSON_VALUES)
            elif choice == 5 and isinstance(target, dict):
                target.pop(draw(st.sampled_from(["source", "metadata", "cell_type", "id"])), None)
            else:
                cells[i] = draw(cell())
        elif isinstance(nb, dict):
            key = draw(st.sampled_from(["nbformat", "nbformat_minor", "metadata", "cells"]))
            nb[key] = draw(JSON_VALUES)
    return nb


NOTEBOOKS = st.one_of(generated_notebook(), mutated_notebook())
