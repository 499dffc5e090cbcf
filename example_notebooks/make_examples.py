"""Writes the example notebooks (run: .venv/bin/python example_notebooks/make_examples.py).

Each is what a data scientist would write, tagged with `stage:` cells, deterministic (every
random source seeded, no network) and quick. Committed output of this script; edit here.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent


def build(cells: list[tuple[str, str | None, str]]) -> nbformat.NotebookNode:
    """cells: (id, tags "a,b" or None, source); ids starting with "md-" are markdown."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python",
                                 "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    for cell_id, tags, source in cells:
        source = source.strip("\n")
        if cell_id.startswith("md-"):
            cell = nbformat.v4.new_markdown_cell(source)
        else:
            cell = nbformat.v4.new_code_cell(source)
        cell["id"] = cell_id
        if tags:
            cell.metadata["tags"] = tags.split(",")
        nb.cells.append(cell)
    return nb


WINE = [
    ("md-title", None, "# Wine cultivars: can a forest tell them apart?"),
    ("imports", None, """
import os

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import train_test_split
"""),
    ("params", "parameters", """
# Parameters (papermill / nb2pipe)
test_size = 0.25
n_estimators = 50
max_depth = 2  # shallow trees: accuracy moves with n_estimators and max_depth
tol = 1e-3
use_proline = False
model_name = "random forest"
features = ["alcohol", "malic_acid", "flavanoids", "color_intensity", "hue", "proline"]
"""),
    ("md-load", None, "## Load"),
    ("load-data", "stage:load", """
df = pd.read_csv("data/wine.csv")
n_raw = len(df)
n_fixed = 0  # running count of repaired values, updated by every cleaning step
df.head()
"""),
    ("explore", "skip", "df.describe()"),
    ("md-clean", None, "## Clean"),
    ("clean-na", "stage:clean", """
# Fill the gaps with the column median rather than losing the rows.
# (pandas 3 deprecates inplace= on dropna; fillna keeps it.)
n_fixed += int(df.isna().sum().sum())
df.fillna(df.median(), inplace=True)
"""),
    ("clean-outliers", None, """
# Cap extreme magnesium readings instead of dropping the rows.
cap = df["magnesium"].quantile(0.99)
too_high = df["magnesium"] > cap
df.loc[too_high, "magnesium"] = cap
n_fixed += int(too_high.sum())
if not use_proline:
    features = [f for f in features if f != "proline"]
print(f"repaired {n_fixed} values in {n_raw} rows; features: {features}")
"""),
    ("md-features", None, "## Features\nStandardise with the statistics of the whole set."),
    ("feature-stats", "stage:features", """
means = df[features].mean()
stds = df[features].std()
"""),
    ("feature-scale", None, """
def scale(col):
    # means and stds are globals from the cell above
    return (col - means[col.name]) / stds[col.name]
"""),
    ("feature-apply", None, """
X = df[features].apply(scale)
y = df["target"]
X.shape
"""),
    ("md-train", None, "## Train"),
    ("split", "stage:train", """
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=test_size, random_state=0, stratify=y)
"""),
    ("fit", None, """
model = RandomForestClassifier(n_estimators=n_estimators, max_depth=max_depth,
                               random_state=0)
model.fit(X_train, y_train)
print(f"trained a {model_name} with {n_estimators} trees of depth {max_depth}")
"""),
    ("md-evaluate", None, "## Evaluate"),
    ("evaluate", "stage:evaluate,metrics", """
predictions = model.predict(X_test)
accuracy = float(accuracy_score(y_test, predictions))
f1 = float(f1_score(y_test, predictions, average="macro"))
converged = bool(accuracy > 1 - tol)
accuracy, f1
"""),
    ("report", None, """
os.makedirs("reports", exist_ok=True)
df_report = pd.DataFrame({"true": y_test.to_numpy(), "predicted": predictions})
df_report.to_csv("reports/scores.csv", index=False)
df_report["predicted"].value_counts().sort_index()
"""),
]

MAGICS = [
    ("md-title", None, "# IPython syntax everywhere"),
    ("magic-setup", "stage:prepare", """
%matplotlib inline
%load_ext autoreload
import os
import matplotlib.pyplot as plt
"""),
    ("shell", None, """
!echo hello from the shell
os.makedirs("data", exist_ok=True)
"""),
    ("writefile", None, """
%%writefile data/notes.txt
first line
second line
"""),
    ("ls", None, """
files = !ls data
with open("data/notes.txt") as fh:
    values = [len(line) for line in fh]
"""),
    ("md-compute", None, "## Compute"),
    ("time", "stage:compute", "%time total = sum(values)"),
    ("capture", None, """
%%capture captured
print("total is", total)
print("files:", list(files))
"""),
    ("timeit", None, "%timeit -n 1 -r 1 sum(values)"),
    ("md-report", None, "## Report"),
    ("report", "stage:report", """
summary = captured.stdout.strip().splitlines()
print(summary)
os.makedirs("plots", exist_ok=True)
fig, ax = plt.subplots(figsize=(3, 2))
ax.bar(range(len(values)), values)
ax.set_title(f"{len(files)} file(s), total {total}")
plt.savefig("plots/hist.png")
"""),
]

BRANCHING = [
    ("md-title", None, "# Two analyses of one sample, joined"),
    ("params", "parameters", "n_rows = 200\nseed = 7"),
    ("load-imports", "stage:load", """
import os

import numpy as np
import pandas as pd
"""),
    ("load-data", None, """
rng = np.random.default_rng(seed)
raw = pd.DataFrame({
    "group": rng.choice(["a", "b", "c"], size=n_rows),
    "x": rng.normal(size=n_rows),
})
raw["y"] = 2.5 * raw["x"] + rng.normal(scale=0.3, size=n_rows)
os.makedirs("data", exist_ok=True)
raw.to_csv("data/raw.csv", index=False)
summary = {"rows": n_rows}

def describe(frame):
    return {"n": int(len(frame)), "mean_y": round(float(frame["y"].mean()), 6)}
"""),
    ("md-a", None, "## Branch A: per-group means"),
    ("stats-a", "stage:stats_a", """
by_group = raw.groupby("group")["y"].mean().round(6)
best_group = by_group.idxmax()
tmp = raw[raw["group"] == best_group]
summary["a"] = describe(tmp)
summary["groups"] = by_group.to_dict()
summary["best_group"] = best_group
del tmp
"""),
    ("md-b", None, "## Branch B: a straight line through the data"),
    ("stats-b", "stage:stats_b", """
reread = pd.read_csv("data/raw.csv")
slope, intercept = np.polyfit(reread["x"], reread["y"], 1)
fit_quality = describe(reread)
"""),
    ("md-join", None, "## Join"),
    ("join", "stage:join", """
report = dict(summary)
report["slope"] = round(float(slope), 6)
report["intercept"] = round(float(intercept), 6)
report["n_b"] = fit_quality["n"]
report
"""),
]


def main() -> None:
    for name, cells in (("wine", WINE), ("magics", MAGICS), ("branching", BRANCHING)):
        folder = HERE / name
        folder.mkdir(exist_ok=True)
        nb = build(cells)
        nbformat.validate(nb)
        nbformat.write(nb, folder / f"{name}.ipynb")
    wine_csv = HERE / "wine" / "data" / "wine.csv"
    if not wine_csv.exists():
        from sklearn.datasets import load_wine

        frame = load_wine(as_frame=True).frame
        # A few missing values so that cleaning matters (deterministic positions).
        for row, col in ((3, "alcohol"), (40, "hue"), (77, "magnesium"), (120, "flavanoids")):
            frame.loc[row, col] = None
        wine_csv.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(wine_csv, index=False)


if __name__ == "__main__":
    main()
