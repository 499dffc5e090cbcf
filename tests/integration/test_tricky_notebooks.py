"""Small notebooks written the way data scientists write them, each stressing one construct
whose flow between stages is easy to miss; `nb2pipe verify` must find the pipeline computes what
the notebook computes (or the user gets a clear message). One behaviour per test."""

from __future__ import annotations

import pytest

from . import harness

pytestmark = pytest.mark.integration

AGREES = harness.AGREES


def test_a_seeded_global_generator_draws_on_in_later_stages(tmp_path):
    out = harness.verify_cells(tmp_path, [
        ("stage:load", "import numpy as np\nimport pandas as pd\nimport random\n"
                       "np.random.seed(42)\nrandom.seed(7)\n"
                       "df = pd.DataFrame({'v': np.arange(20)})"),
        ("stage:split", "from sklearn.model_selection import train_test_split\n"
                        "train, test = train_test_split(df)\nnoise = np.random.rand()"),
        ("stage:report", "print(sorted(test.v.tolist()), noise)\n"
                         "print(df.sample(3).v.tolist(), random.random())"),
    ])
    assert AGREES in out, out


def test_an_instance_of_a_notebook_class_changed_in_a_later_stage(tmp_path):
    out = harness.verify_cells(tmp_path, [
        ("stage:define", "offset = 10\nclass Model:\n    def __init__(self, w):\n"
                         "        self.w = w\n    def predict(self, x):\n"
                         "        return self.w * x + offset"),
        ("stage:make", "offset = 20\nm = Model(2)"),
        ("stage:tune", "print(m.predict(1))\nm.w = 3"),
        ("stage:report", "print(m.predict(1), m.w)"),
    ])
    assert AGREES in out, out


def test_a_generator_handed_to_a_later_stage_is_named_with_both_stages(tmp_path):
    out = harness.verify_cells(tmp_path, [
        ("stage:a", "squares = (i * i for i in range(10))\nfirst = next(squares)"),
        ("stage:b", "print(first, next(squares))"),
    ])
    # refused at convert now, naming both stages, instead of failing in the save cell
    assert "itself fails" not in out and "jupyter_pipeline" not in out, out
    assert "stage 'b' uses 'squares', which is a generator" in out and "stage 'a'" in out, out


def test_library_settings_hold_in_later_stages(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "helpers_mod.py").write_text("def double(v):\n    return 2 * v\n")
    out = harness.verify_cells(tmp_path, [
        ("stage:setup", "import sys\nsys.path.append('src')\nimport warnings\n"
                        "warnings.filterwarnings('ignore')\nimport numpy as np\n"
                        "import pandas as pd\nnp.set_printoptions(precision=2)\n"
                        "pd.set_option('display.max_rows', 4)\nimport helpers_mod\n"
                        "df = pd.DataFrame({'a': range(20)})"),
        ("stage:show", "print(df)\nprint(np.array([1 / 3, 2 / 3]))\n"
                       "warnings.warn('noisy')"),
        ("stage:use", "print(helpers_mod.double(21))"),
    ])
    assert AGREES in out, out


def test_a_numpy_view_changed_in_a_later_stage_changes_its_array(tmp_path):
    out = harness.verify_cells(tmp_path, [
        ("stage:a", "import numpy as np\nX = np.arange(12.0).reshape(6, 2)\ntrain = X[:4]"),
        ("stage:b", "train -= train.mean(axis=0)"),
        ("stage:c", "print(X)"),
    ])
    assert AGREES in out, out


def test_a_pipeline_fitted_later_fits_the_scaler_it_was_built_with(tmp_path):
    out = harness.verify_cells(tmp_path, [
        ("stage:build", "import numpy as np\nfrom sklearn.preprocessing import StandardScaler\n"
                        "from sklearn.linear_model import LinearRegression\n"
                        "from sklearn.pipeline import make_pipeline\n"
                        "X = np.arange(20.0).reshape(10, 2)\ny = X.sum(axis=1)\n"
                        "scaler = StandardScaler()\npipe = make_pipeline(scaler, LinearRegression())"),
        ("stage:fit", "pipe.fit(X, y)"),
        ("stage:report", "print(scaler.mean_)"),
    ])
    assert AGREES in out, out


def test_a_difference_comes_with_the_warning_that_explains_it(tmp_path):
    out = harness.verify_cells(tmp_path, [("stage:a", "x = 1"), ("skip", "x = 99"), ("stage:b", "print(x)")])
    assert "DIFFERENT  b: cell 3" in out, out
    assert "the analysis warned about:" in out and "the skipped cell 2 changes" in out, out
