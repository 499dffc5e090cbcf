"""Build small notebooks for tests: [(tags or None, source), ...] -> nbformat dict."""

from __future__ import annotations

from typing import Iterable, Sequence

import nbformat


def notebook(cells: Iterable[tuple[str | Sequence[str] | None, str]], markdown_prefix: str = "# "
             ) -> dict:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    for i, (tags, source) in enumerate(cells):
        if source.startswith(markdown_prefix + "md:"):
            cell = nbformat.v4.new_markdown_cell(source[len(markdown_prefix) + 3:].lstrip())
        else:
            cell = nbformat.v4.new_code_cell(source)
        cell["id"] = f"c{i}"
        if tags:
            cell.metadata["tags"] = [tags] if isinstance(tags, str) else list(tags)
        nb.cells.append(cell)
    return nb
