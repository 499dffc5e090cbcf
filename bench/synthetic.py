"""A synthetic notebook of realistic sections (load, clean, features, train, report), repeated
with fresh names until it has the requested number of code cells."""

from __future__ import annotations

import nbformat

SECTION = [
    ("stage:load_{i}", "import pandas as pd\nimport numpy as np\n\nraw_{i} = pd.read_csv('data/input_{i}.csv')\nraw_{i}.head()"),
    (None, "# keep the rows we trust\nraw_{i} = raw_{i}[raw_{i}['value'] > 0]\nraw_{i}.dropna(inplace=True)\nprint(len(raw_{i}))"),
    (None, "def scale_{i}(col):\n    '''Standardise with the statistics of the training data.'''\n    return (col - means_{i}[col.name]) / stds_{i}[col.name]\n\nmeans_{i} = raw_{i}.mean(numeric_only=True)\nstds_{i} = raw_{i}.std(numeric_only=True)"),
    ("stage:features_{i}", "features_{i} = raw_{i}.select_dtypes('number').apply(scale_{i})\nfeatures_{i}['ratio'] = features_{i}['value'] / (features_{i}['other'] + 1)\nfeatures_{i}.loc[features_{i}['ratio'] > 10, 'ratio'] = 10"),
    (None, "counter_{i} = 0\nfor col in features_{i}.columns:\n    if features_{i}[col].isna().any():\n        counter_{i} += 1\n        features_{i}[col] = features_{i}[col].fillna(0)"),
    (None, "%matplotlib inline\nsummary_{i} = {{'rows': len(features_{i}), 'filled': counter_{i}}}\nsummary_{i}"),
    ("stage:train_{i}", "from sklearn.linear_model import LogisticRegression\nmodel_{i} = LogisticRegression(C=alpha, max_iter=200)\nX_{i} = features_{i}.drop(columns=['label'])\ny_{i} = features_{i}['label']\nmodel_{i}.fit(X_{i}, y_{i})"),
    (None, "scores_{i} = [model_{i}.score(X_{i}, y_{i}) for _ in range(3)]\nbest_{i} = max(scores_{i})\n!echo trained {i}"),
    ("stage:report_{i}", "report_{i} = pd.DataFrame({{'score': scores_{i}}})\nreport_{i}.to_csv('reports/report_{i}.csv', index=False)\nprint(best_{i}, summary_{i})"),
    (None, "%%time\nextra_{i} = [x * 2 for x in scores_{i} if x > 0.5]\nlen(extra_{i})"),
]


def synthetic_notebook(code_cells: int = 500) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell("alpha = 1e-3\nseed = 7\nlabel = 'target value'")
    params.metadata["tags"] = ["parameters"]
    nb.cells.append(params)
    i = 0
    while len([c for c in nb.cells if c.cell_type == "code"]) < code_cells:
        nb.cells.append(nbformat.v4.new_markdown_cell(f"## Section {i}"))
        for tag, src in SECTION:
            if len([c for c in nb.cells if c.cell_type == "code"]) >= code_cells:
                break
            cell = nbformat.v4.new_code_cell(src.format(i=i))
            if tag:
                cell.metadata["tags"] = [tag.format(i=i)]
            nb.cells.append(cell)
        i += 1
    return nb
