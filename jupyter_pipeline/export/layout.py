"""Where each generated file and each run-time output lives.

Paths are POSIX and relative: `in_out` to the output folder (where dvc.yaml is), `in_wdir` to the
notebook's folder, which is every stage's working directory so that the notebook's own relative
paths keep working.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-") or "notebook"


@dataclass(frozen=True)
class Layout:
    notebook_name: str  # file name of the notebook, e.g. "wine.ipynb"
    wdir: str = "."  # the notebook's folder relative to the output folder
    out_from_wdir: str = "."  # the output folder relative to the notebook's folder

    @property
    def base(self) -> str:
        """Folder of this notebook's generated files, relative to the output folder."""
        return f"pipelines/{slug(self.notebook_name.rsplit('.', 1)[0])}"

    @property
    def exp_show_drop(self) -> str:
        """`dvc exp show --drop` pattern for this notebook's generated files. DVC shows a column
        for every dependency (each stage notebook, each handoff folder) and nothing in dvc.yaml
        hides one; they must stay dependencies, or DVC would not re-run what they feed. DVC
        matches the pattern at the start of a column name, which is a path from the repository
        root: the prefix matches wherever the output folder lies."""
        return f"(.*/)?{self.base}/"

    def in_wdir(self, path_in_out: str) -> str:
        """A path relative to the output folder, seen from the stage's working directory."""
        return posixpath.normpath(posixpath.join(self.out_from_wdir, path_in_out))

    def from_wdir(self, path_in_wdir: str) -> str:
        return posixpath.normpath(posixpath.join(self.wdir, path_in_wdir))

    @property
    def notebook_in_out(self) -> str:
        return posixpath.normpath(posixpath.join(self.wdir, self.notebook_name))

    # Generated files (relative to the output folder).
    def stage_notebook(self, stage: str) -> str:
        return f"{self.base}/{stage}.ipynb"

    def stage_script(self, stage: str) -> str:
        return f"{self.base}/{stage}.py"

    @property
    def manifest(self) -> str:
        return f"{self.base}/manifest.json"

    # Run-time outputs (relative to the output folder).
    def handoffs(self, stage: str) -> str:
        return f"{self.base}/data/{stage}"

    def executed(self, stage: str) -> str:
        return f"{self.base}/executed/{stage}.ipynb"

    def metrics(self, stage: str) -> str:
        return f"{self.base}/metrics/{stage}.json"
