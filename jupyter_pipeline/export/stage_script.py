"""The stage as a plain Python script (jupytext's percent format), runnable with `python`."""

from __future__ import annotations

from ..analysis.ipython import to_python
from ..model.diagnostics import cell_name
from .parameters import parameters_source
from .stage_parts import StageParts

_SHELL_IMPORT = "from jupyter_pipeline.runtime.script import get_ipython  # runs magics and !shell"


def render(notebook_name: str, params_file: str, parts: StageParts) -> str:
    stage = parts.stage
    out = [
        f"# nb2pipe: generated from '{notebook_name}', stage '{stage.name}'.",
        "# Edit the notebook, not this file. Run it from the notebook's folder:",
        "#     python <this file>",
        "",
    ]
    needs_shell = any(c.is_code and to_python(src) != src for c, src in parts.cells) \
        or "get_ipython()" in parts.setup  # a magic made again (`%matplotlib inline`)
    if needs_shell:
        out += [_SHELL_IMPORT, ""]
    if parts.params:
        out += ["# %% parameters (params.yaml overrides these values)",
                parameters_source(parts.params).rstrip("\n"),
                "from jupyter_pipeline.runtime.handoff import read_params as _read_params",
                f"_params = _read_params(\"{params_file}\", "
                f"{{{', '.join(f'{n!r}: {n}' for n, _ in parts.params)}}})"]
        out += [f"{n} = _params[{n!r}]" for n, _ in parts.params]
        out.append("")
    if parts.setup:
        out += ["# %% values from earlier stages", parts.setup, ""]
    for cell, source in parts.cells:
        if cell.cell_type == "markdown":
            out.append("# %% [markdown]")
            out += [f"# {ln}".rstrip() for ln in source.splitlines()]
        else:
            out.append(f"# %% {cell_name(cell.index)}")
            out.append(to_python(source).rstrip("\n"))
        out.append("")
    if parts.save:
        out += ["# %% hand on to later stages", parts.save, ""]
    return "\n".join(out).rstrip("\n") + "\n"
