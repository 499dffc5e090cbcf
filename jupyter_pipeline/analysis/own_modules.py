"""The fold's handling of the notebook's own modules (`helpers.py` beside the notebook, or one
written by `%%writefile`): unlike a library, importing one runs the notebook's code, so

- the module file is a dependency of each stage that imports it, and orders a stage that
  writes it (`%%writefile`) first;
- what its import does (settings) holds for the rest of the notebook: every later stage
  imports it again at its start, like a setting;
- its own globals (a registry its functions fill) are state that lives in the process: each
  stage that uses the module starts from the state the previous user left and hands its own
  on, under the name "@module:NAME" (runtime.handoff's module_state reads it)."""

from __future__ import annotations

from .bindings import Binding
from .fold_state import FoldState

MODULE_STATE_PREFIX = "@module:"


def imported_module(statement: str) -> str:
    """The top-level module an import statement imports ("" for a relative import)."""
    words = statement.split()
    if len(words) < 2 or words[1].startswith("."):
        return ""
    return words[1].split(".", 1)[0]


class OwnModules(FoldState):
    """Part of flows._Fold: imports and uses of the notebook's own modules."""

    def own_module(self, statement: str | None) -> str:
        module = imported_module(statement or "")
        return module if module in self.local_modules else ""

    def imported(self, statement: str, line: int) -> None:
        """An import of the notebook's own module: a dependency here, made again later."""
        module = self.own_module(statement)
        if not module:
            return
        self.file_read(self.local_modules[module], self.cell)
        self.module_files[statement] = self.local_modules[module]
        self.settings.append(((), (), statement))
        self.module_used(module, line)

    def module_used(self, module: str, line: int) -> None:
        """The stage uses the module (calls into it, reads its values): it continues from the
        module state the last stage that used it left, and hands its own on."""
        state = MODULE_STATE_PREFIX + module
        if state in self.flow.writes:
            return
        if state in self.env:
            self.read(state, line, quiet=True)
        self.write(state, line, Binding("value", self.flow.name, self.cell, line))

    def import_used(self, binding: Binding, line: int) -> None:
        """A read of a name an import bound: a use of the module when it is the notebook's."""
        module = self.own_module(binding.statement)
        if module:
            self.module_used(module, line)

    def replay_module_files(self) -> None:
        """Later stages import the modules again at their start: each depends on the file."""
        for statement, path in self.module_files.items():
            if statement in self.flow.settings:
                self.file_read(path, self.cell)
