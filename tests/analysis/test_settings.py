"""Library settings (display options, warning filters, plot style, the import path) hold for
the rest of the notebook, so every later stage makes them again. One behaviour per test."""

from __future__ import annotations

import pytest

from .helpers import stages

SETTINGS = {
    "pandas-option": ("import pandas as pd", "pd.set_option('display.max_rows', 4)"),
    "pandas-options-attribute": ("import pandas as pd", "pd.options.display.precision = 2"),
    "numpy-printoptions": ("import numpy as np", "np.set_printoptions(precision=2)"),
    "warnings": ("import warnings", "warnings.filterwarnings('ignore')"),
    "warnings-from-import": ("from warnings import simplefilter", "simplefilter('ignore')"),
    "rcparams": ("import matplotlib.pyplot as plt", "plt.rcParams['figure.figsize'] = (8, 4)"),
    "style": ("import matplotlib.pyplot as plt", "plt.style.use('ggplot')"),
    "seaborn": ("import seaborn as sns", "sns.set_theme()"),
    "import-path": ("import sys", "sys.path.append('src')"),
}


@pytest.mark.parametrize("imp,setting", SETTINGS.values(), ids=SETTINGS.keys())
def test_a_setting_is_made_again_in_every_later_stage(imp, setting):
    s = stages([("stage:a", f"{imp}\n{setting}\nx = 1"), ("stage:b", "y = x"),
                ("stage:c", "print(y)")])
    assert s["a"].settings == ()
    assert s["b"].settings == s["c"].settings == (imp, setting)


def test_settings_keep_their_order():
    s = stages([("stage:a", "import pandas as pd\npd.set_option('display.max_rows', 4)"),
                ("stage:b", "pd.reset_option('display.max_rows')"), ("stage:c", "x = 1")])
    assert s["c"].settings == ("import pandas as pd", "pd.set_option('display.max_rows', 4)",
                               "pd.reset_option('display.max_rows')")


def test_a_setting_made_again_later_holds_in_the_stages_after_it():
    s = stages([("stage:a", "import pandas as pd\npd.set_option('display.max_rows', 1)"),
                ("stage:b", "pd.set_option('display.max_rows', 2)"),
                ("stage:c", "pd.set_option('display.max_rows', 1)"), ("stage:d", "x = 1")])
    assert s["d"].settings == ("import pandas as pd", "pd.set_option('display.max_rows', 2)",
                               "pd.set_option('display.max_rows', 1)")


NOT_SETTINGS = {
    "plot": "import matplotlib.pyplot as plt\nplt.plot([1, 2])",
    "makedirs": "import os\nos.makedirs('out', exist_ok=True)",
    "in-a-branch": "import warnings\nif True:\n    warnings.simplefilter('ignore')\n    x = 1",
    "not-the-library": "class W:\n    def filterwarnings(self, v):\n        pass\n"
                       "warnings = W()\nwarnings.filterwarnings('ignore')",
}


@pytest.mark.parametrize("source", NOT_SETTINGS.values(), ids=NOT_SETTINGS.keys())
def test_other_calls_are_not_made_again(source):
    s = stages([("stage:a", source), ("stage:b", "z = 1")])
    assert s["b"].settings == ()


def test_a_setting_that_reads_a_parameter_gives_later_stages_the_parameter():
    s = stages([("parameters", "rows = 4"),
                ("stage:a", "import pandas as pd\npd.set_option('display.max_rows', rows)"),
                ("stage:b", "z = 1")])
    assert s["b"].settings[-1] == "pd.set_option('display.max_rows', rows)"
    assert s["b"].params == ("rows",)
