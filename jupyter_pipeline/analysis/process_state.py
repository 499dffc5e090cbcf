"""The fold's handling of state that lives in the process rather than in a variable: seeded
global random generators (handed on like values) and library settings (made again in every later
stage). Each stage is a new process, so neither would cross on its own."""

from __future__ import annotations

from .knowledge import SEEDING_CALLS, SETTINGS
from .bindings import BUILTINS, Binding
from .fold_state import FoldState


class ProcessState(FoldState):
    """Part of flows._Fold: seeded generators and library settings."""

    def carry_module_states(self, first_cell: int) -> None:
        """Once a global random generator is seeded, any later call may draw from it (a
        library's default `random_state=None` does), so each stage after the seeding starts
        from the state the previous stage left and hands its own on."""
        self.cell = first_cell
        for state in self.seeded:
            self.read(state, 0, quiet=True)
            self.write(state, 0, Binding("value", self.flow.name, first_cell, 0))

    def resolve(self, name: str) -> str | None:
        """`np.random.seed` -> `numpy.random.seed`, through the import that bound `np`."""
        root, _, rest = name.partition(".")
        binding = self.env.get(root)
        if binding is None or binding.kind != "import" or not binding.statement:
            return None
        words = binding.statement.split()
        if words[0] == "import":
            module = words[1] if " as " in binding.statement else root
        else:  # from m import n [as x]
            module = f"{words[1]}.{words[3]}"
        return f"{module}.{rest}" if rest else module

    def setting(self, name: str, line: int, source: str, reads: frozenset[str]) -> None:
        """A library setting (knowledge.SETTINGS): every later stage makes it again, after
        the imports it reads. One that reads a notebook value is left alone (rare)."""
        full = self.resolve(name)
        if full is None or not any(full == s or full.startswith(s + ".") for s in SETTINGS):
            return
        imports, params = [], []
        for r in sorted(reads):
            binding = self.env.get(r)
            if binding is not None and binding.kind == "import" and binding.statement:
                imports.append(binding.statement)
            elif binding is not None and binding.kind == "param":
                params.append(r)  # the stage's parameters cell comes before the setting
            elif not (binding is None and r in BUILTINS):
                return
        self.settings.append((tuple(params), tuple(imports), source))

    def seed(self, call: str, line: int) -> None:
        """`np.random.seed(0)`, `random.seed(1)`: resolve the module through the imports."""
        full = self.resolve(call)
        state = SEEDING_CALLS.get(full) if full else None
        if state is not None:
            self.seeded[state] = None
            self.rebind(state, line, Binding("value", self.flow.name, self.cell, line))
