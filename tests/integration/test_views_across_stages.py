"""End to end: numpy views that cross stages with the array or frame they look into. A later
stage's change through one is seen through the other, as in the notebook run whole: views made
by calls (`a.reshape()`, `np.asarray(a)`), and arrays taken from a frame (`df["x"].values`,
`s.to_numpy()`), in this environment (pandas copy-on-write) and in an old-library kernel."""

from __future__ import annotations

import json

import pytest

from tests.nbbuild import notebook

from . import harness

pytestmark = pytest.mark.integration

CELLS = [
    ("stage:a", "import numpy as np\nimport pandas as pd\n"
                "a = np.ones(4)\nb = a.reshape(2, 2)\nc = np.asarray(a)\n"
                "df = pd.DataFrame({'x': [1.0, 2.0, 3.0], 'n': [1, 2, 3]})\narr = df['x'].values\n"
                "s = pd.Series([1.0, 2.0])\nt = s.to_numpy()"),
    ("stage:b", "np.multiply(a, 3, out=a)\ndf.loc[0, 'x'] = 5.0\ns.iloc[0] = 9.0"),
    ("stage:c", "print(b.tolist(), c.tolist(), arr.tolist(), t.tolist())"),
]


@pytest.mark.parametrize("kernel", [None, "nb2pipe-corpus-b"],
                         ids=["this environment", "pandas 1.5 and numpy 1.23"])
def test_views_cross_stages_with_what_they_look_into(tmp_path, kernel):
    from jupyter_client.kernelspec import KernelSpecManager

    if kernel and kernel not in KernelSpecManager().find_kernel_specs():
        raise AssertionError(f"kernel '{kernel}' is missing: run 'make corpus-envs' "
                             "(make test does it)")
    (tmp_path / "nb.ipynb").write_text(json.dumps(notebook(CELLS)), encoding="utf-8")
    cmd = [str(harness.BIN / "nb2pipe"), "verify", "nb.ipynb"]
    proc = harness.run(cmd + (["--kernel", kernel] if kernel else []), tmp_path, check=False)
    out = proc.stdout + proc.stderr
    assert harness.AGREES in out, out
