"""The command of a generated stage, `nb2pipe exec-stage NOTEBOOK EXECUTED [--params FILE]
[--kernel NAME]`, as one value: export writes it into dvc.yaml, the runner reads it back to run
the stage in-process. Written and read here only, so both sides agree on every path (one with a
space is quoted, as the shell DVC runs it with expects). Pure."""

from __future__ import annotations

import shlex
from dataclasses import dataclass

DEFAULT_PARAMS = "params.yaml"


@dataclass(frozen=True)
class StageCommand:
    """Paths as the stage's working directory sees them."""

    notebook: str
    executed: str
    params: str = DEFAULT_PARAMS
    kernel: str | None = None

    def render(self) -> str:
        words = ["nb2pipe", "exec-stage", self.notebook, self.executed]
        if self.params != DEFAULT_PARAMS:
            words += ["--params", self.params]
        if self.kernel:
            words += ["--kernel", self.kernel]
        return shlex.join(words)

    @classmethod
    def parse(cls, text: str) -> StageCommand | None:
        """The command `text` runs, when it is exactly an `nb2pipe exec-stage` (a hand-edited
        or any other command: None, and it runs in a shell as DVC runs it)."""
        try:
            words = shlex.split(text)
        except ValueError:
            return None
        if words[:2] != ["nb2pipe", "exec-stage"] or len(words) < 4:
            return None
        options: dict[str, str] = {}
        rest = words[4:]
        while rest:
            flag = rest.pop(0)
            if flag not in ("--params", "--kernel") or not rest or flag in options:
                return None
            options[flag] = rest.pop(0)
        return cls(words[2], words[3], options.get("--params", DEFAULT_PARAMS),
                   options.get("--kernel"))
