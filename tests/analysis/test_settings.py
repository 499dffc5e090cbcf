"""Library settings (matplotlib style, pandas options, warning filters, random seeds) live in the
process: each later stage is a new process, so it makes them again before its own cells."""

from __future__ import annotations

from .helpers import codes, diagnostic, needs, run, stages


def test_a_setting_of_an_earlier_stage_is_made_again_in_every_later_stage():
    s = stages([("stage:a", "import matplotlib as mpl\nmpl.rcParams['figure.figsize'] = (12, 8)"),
                ("stage:b", "import seaborn as sns\nsns.histplot([1, 2])"),
                ("stage:c", "x = 1")])
    for later in ("b", "c"):
        assert s[later].setup == ("mpl.rcParams['figure.figsize'] = (12, 8)",)
        assert "import matplotlib as mpl" in s[later].imports
    assert s["a"].setup == ()


def test_a_settings_call_on_a_module_is_made_again():
    s = stages([("stage:a", "import matplotlib.pyplot as plt\nplt.style.use('ggplot')\n"
                            "import warnings\nwarnings.filterwarnings('ignore')"),
                ("stage:b", "x = 1")])
    assert s["b"].setup == ("plt.style.use('ggplot')", "warnings.filterwarnings('ignore')")


def test_drawing_with_a_module_is_not_a_setting():
    s = stages([("stage:a", "import matplotlib.pyplot as plt\nplt.plot([1, 2])\n"
                            "plt.savefig('a.png')\nplt.gca().set(title='t')"),
                ("stage:b", "x = 1")])
    assert s["b"].setup == ()


def test_the_settings_of_an_object_are_not_made_again():
    s = stages([("stage:a", "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\n"
                            "ax.set(title='t')"),
                ("stage:b", "ax.plot([1])")])
    assert s["b"].setup == () and needs(s["b"]) == {"ax": "a"}


def test_a_setting_inside_a_branch_is_not_made_again():
    s = stages([("stage:a", "import pandas as pd\nif False:\n    pd.set_option('display.max_rows', 5)"),
                ("stage:b", "x = 1")])
    assert s["b"].setup == ()


def test_what_a_setting_reads_is_needed_where_it_is_made_again():
    s = stages([("parameters", "rows = 5"),
                ("stage:a", "import pandas as pd\nwidth = 120\n"
                            "pd.set_option('display.max_rows', rows)\n"
                            "pd.set_option('display.width', width)"),
                ("stage:b", "x = 1")])
    assert s["b"].params == ("rows",)
    assert needs(s["b"]) == {"width": "a"}


def test_a_seed_is_made_again_with_a_warning_naming_the_cell():
    a = run([("stage:a", "import numpy as np\nnp.random.seed(0)"),
             ("stage:b", "x = np.random.rand(3)")])
    assert a.ok
    assert a.pipeline.stage("b").setup == ("np.random.seed(0)",)
    d = diagnostic(a, "seed-replayed")
    assert (d.cell, d.line) == (0, 2) and "random_state" in d.message


def test_a_seed_in_the_last_stage_needs_no_warning():
    a = run([("stage:a", "x = 1"), ("stage:b", "import numpy as np\nnp.random.seed(0)")])
    assert "seed-replayed" not in codes(a)
