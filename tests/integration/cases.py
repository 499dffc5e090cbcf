"""The notebooks the integration tests convert and run: ours in example_notebooks/, and the real
ones in ../shared/corpus and tests/data/notebooks (each in the old-library kernel it was written
for)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "example_notebooks"
# NB2PIPE_CORPUS: the corpus kept elsewhere than beside the repository (a git worktree, say)
CORPUS = Path(os.environ.get("NB2PIPE_CORPUS") or REPO.parent / "shared" / "corpus")
REAL = REPO / "tests" / "data" / "notebooks"


@dataclass(frozen=True)
class Case:
    id: str
    folder: Path
    notebook: str
    kernel: str | None = None
    by_headings: int | None = None
    compare: str = "values"  # or "structure" for notebooks with unseeded randomness
    # (param, new value) for `dvc exp run -S`, when the notebook has parameters
    experiment: tuple[str, str] | None = None
    notes: str = ""

    @property
    def path(self) -> Path:
        return self.folder / self.notebook


EXAMPLE_CASES = [
    Case("wine", EXAMPLES / "wine", "wine.ipynb", experiment=("n_estimators", "30")),
    Case("magics", EXAMPLES / "magics", "magics.ipynb"),
    Case("branching", EXAMPLES / "branching", "branching.ipynb", experiment=("n_rows", "150")),
]

CORPUS_CASES = [
    Case("soorgeon-exploratory", CORPUS / "soorgeon-exploratory", "nb.ipynb",
         kernel="nb2pipe-corpus-a", by_headings=2),
    Case("kale-candies", CORPUS / "kale-candies", "candies_sharing.ipynb",
         kernel="nb2pipe-corpus-a", compare="structure", experiment=("CANDIES", "30"),
         notes="unseeded random: compared by structure"),
    Case("kale-params-metrics", CORPUS / "kale-params-metrics",
         "pipeline_parameters_and_metrics.ipynb", kernel="nb2pipe-corpus-a",
         compare="structure", experiment=("d1", "3"), notes="np.random.rand unseeded"),
    Case("kale-titanic", CORPUS / "kale-titanic", "titanic_dataset_ml.ipynb",
         kernel="nb2pipe-corpus-b", compare="structure",
         notes="unseeded np.random ages and random forest: compared by structure"),
    Case("elyra-run-notebook", CORPUS / "elyra-run-notebook", "a-notebook.ipynb",
         kernel="nb2pipe-corpus-a", experiment=("multiplier", "3")),
]

# Real notebooks kept in this repository (tests/data/notebooks/*/SOURCES.md).
REAL_CASES = [
    Case("ploomber-eda", REAL / "ploomber-refactor", "eda.ipynb", kernel="nb2pipe-corpus-a",
         by_headings=2),
    Case("ploomber-ml", REAL / "ploomber-refactor", "ml.ipynb", kernel="nb2pipe-corpus-a",
         by_headings=2, notes="matplotlib settings made in 'load' shape every later figure"),
]
