"""Edge: the verdicts on one stage, read from what the runs left on disk: its cells' outputs, the
values it hands on (probes of the whole runs against the pipeline's handoff files) and the files
it declares. Each is (where, judge.Verdict); the integration tests use these too. Imports only
what the kernel's environment has too (kernel_values.py runs value_verdicts there)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Iterator

from ..model.notebook import Notebook
from ..model.diagnostics import cell_name
from ..model.pipeline import Stage
from ..runtime import handoff
from . import judge
from .compare import Paths, cell_outputs

TEXT_FILES = (".csv", ".json", ".txt", ".tsv", ".md", ".yaml", ".yml", ".html")
Found = tuple[str, judge.Verdict]


def cell_verdicts(executed: dict[str, Any], whole_cells: list[dict[str, list[str]]],
                  notebook: Notebook, paths: Paths) -> Iterator[Found]:
    """`executed`: the stage's executed notebook; `whole_cells`: per whole run, each cell's
    normalised outputs by cell id."""
    for cell in executed["cells"]:
        cell_id = cell.get("id", "")
        if cell.get("cell_type") != "code" or cell_id.startswith("nb2pipe-") or \
                cell_id not in whole_cells[0]:
            continue
        found = judge.outputs([w.get(cell_id, []) for w in whole_cells],
                              cell_outputs(cell.get("outputs", []), paths))
        index = next((i for i, c in enumerate(notebook.cells) if c.stable_id == cell_id), None)
        yield f"{cell_name(index) if index is not None else 'cell ?'} ('{cell_id}')", found


def value_verdicts(names: Iterable[str], probes: list[Path], data: Path, paths: Paths = Paths(),
                   structure_only: bool = False) -> Iterator[Found]:
    """`names`: the values a stage hands on; `probes`: the stage's probe folder in each whole
    run; `data`: its handoff folder. Run in the kernel's environment (kernel_values.py)."""
    for name in names:
        where = f"value '{name}' at the end of the stage"
        try:
            whole = [handoff.load(str(p), name, stand_ins=True) for p in probes]
            piped = handoff.load(str(data), name, stand_ins=True)
        except handoff.HandoffError as exc:
            yield where, judge.Verdict(f"cannot be compared: {exc}")
            continue
        yield where, judge.value(whole, piped, paths, structure_only)


def file_verdicts(stage: Stage, wholes: list[Path], pipe: Path,
                  paths: Paths = Paths()) -> Iterator[Found]:
    """`wholes`: the folder each whole run worked in; `pipe`: the pipeline's."""
    for out in stage.outs:
        found = judge.file([_content(w, out) for w in wholes], _content(pipe, out),
                           out.endswith(TEXT_FILES), paths)
        yield f"file '{out}'", found


def _content(folder: Path, out: str) -> bytes | None:
    path = folder / out
    if not path.is_file():
        return b"" if path.exists() else None  # a folder: compared by existence
    return path.read_bytes()
