"""Process-wide state (issue 10 item 5): settings made outside the usual libraries, inside a
notebook function, by IPython magics, or on an imported module hold for the rest of the notebook,
so every later stage makes them again; what nb2pipe cannot make again is a warning, and IPython's
`_` from another stage's cell is refused. One behaviour per test."""

from __future__ import annotations

import pytest

from .helpers import run, stages

MADE_AGAIN = {
    "environ": ("import os", "os.environ['MODE'] = 'fast'"),
    "environ-update": ("import os", "os.environ.update({'MODE': 'fast'})"),
    "chdir": ("import os", "os.chdir('sub')"),
    "decimal": ("import decimal", "decimal.getcontext().prec = 5"),
    "recursion-limit": ("import sys", "sys.setrecursionlimit(5000)"),
    "sklearn-config": ("import sklearn", "sklearn.set_config(transform_output='pandas')"),
    "sklearn-from-import": ("from sklearn import set_config", "set_config(display='text')"),
    "logger-level": ("import logging", "logging.getLogger('nb').setLevel(logging.WARNING)"),
    "module-attribute": ("import json", "json.SPECIAL = 2"),
    "module-attribute-by-setattr": ("import json", "setattr(json, 'SPECIAL', 2)"),
    "backend": ("import matplotlib", "matplotlib.use('agg')"),
    "socket-timeout": ("import socket", "socket.setdefaulttimeout(7)"),
    "locale": ("import locale", "locale.setlocale(locale.LC_ALL, 'C')"),
    "tqdm-pandas": ("from tqdm import tqdm", "tqdm.pandas()"),
    "tqdm-auto-pandas": ("from tqdm.auto import tqdm", "tqdm.pandas(desc='rows')"),
    "interactive-off": ("import matplotlib.pyplot as plt", "plt.ioff()"),
}


@pytest.mark.parametrize("imp,setting", MADE_AGAIN.values(), ids=MADE_AGAIN.keys())
def test_process_state_is_made_again_in_later_stages(imp, setting):
    s = stages([("stage:a", f"{imp}\n{setting}"), ("stage:b", "x = 1"), ("stage:c", "y = 2")])
    assert s["b"].settings == s["c"].settings == (imp, setting)


@pytest.mark.parametrize("magic", ["%env MODE=3", "%matplotlib inline", "%load_ext autoreload",
                                   "%config InlineBackend.figure_format = 'svg'"])
def test_a_magic_that_changes_the_kernel_is_made_again(magic):
    s = stages([("stage:a", magic), ("stage:b", "x = 1")])
    assert len(s["b"].settings) == 1 and "run_line_magic" in s["b"].settings[0]
    assert s["b"].uses_ipython


def test_a_setting_made_inside_a_notebook_function_holds_after_the_call():
    s = stages([("stage:a", "import pandas as pd\ndef setup():\n"
                            "    pd.set_option('display.precision', 2)\nsetup()"),
                ("stage:b", "x = 1")])
    assert s["b"].settings == ("import pandas as pd", "pd.set_option('display.precision', 2)")


def test_a_log_file_opened_for_writing_is_not_emptied_again():
    s = stages([("stage:a", "import logging\nlogging.basicConfig(filename='run.log', "
                            "filemode='w', level=logging.INFO)"),
                ("stage:b", "x = 1")])
    assert s["b"].settings[-1] == ("logging.basicConfig(filename='run.log', filemode='a', "
                                   "level=logging.INFO)")


FROM_LITERALS = {
    "dict": ("import matplotlib.pyplot as plt\nparams = {'figure.figsize': (30, 10), 'axes.grid': True}"
             "\nplt.rcParams.update(params)",
             "plt.rcParams.update({'figure.figsize': (30, 10), 'axes.grid': True})"),
    "number": ("import pandas as pd\nrows = 4\npd.set_option('display.max_rows', rows)",
               "pd.set_option('display.max_rows', 4)"),
    "unpacked": ("import seaborn as sns\nw, h = 10, 5\nsns.set_theme(rc={'figure.figsize': (w, h)})",
                 "sns.set_theme(rc={'figure.figsize': (10, 5)})"),
    "in-a-function": ("import pandas as pd\nROWS = 7\ndef setup():\n"
                      "    pd.set_option('display.max_rows', ROWS)\nsetup()",
                      "pd.set_option('display.max_rows', 7)"),
    "rebound-later": ("import pandas as pd\nrows = 4\npd.set_option('display.max_rows', rows)\n"
                      "rows = 9", "pd.set_option('display.max_rows', 4)"),
}


@pytest.mark.parametrize("source,made", FROM_LITERALS.values(), ids=FROM_LITERALS.keys())
def test_a_setting_from_names_bound_to_literals_is_made_again_with_the_literals(source, made):
    a = run([("stage:a", source), ("stage:b", "z = 1")])
    assert not [d for d in a.diagnostics if d.code == "setting-not-made-again"], a.diagnostics
    assert a.pipeline.stages[1].settings[-1] == made
    assert not a.pipeline.stages[1].needs  # the literal, not the variable


def test_a_setting_from_a_computed_value_loads_it_and_is_made_after_the_loads_in_order():
    s = stages([("stage:a", "import pandas as pd\nrows = len('abcd')\n"
                            "pd.set_option('display.max_rows', rows)\n"
                            "pd.set_option('display.precision', 2)"),
                ("stage:b", "z = 1")])
    assert s["b"].settings == ("import pandas as pd",)
    # the later setting stays after it: the notebook's order
    assert s["b"].settings_after_loads == ("pd.set_option('display.max_rows', rows)",
                                           "pd.set_option('display.precision', 2)")
    assert [(n.name, n.producer) for n in s["b"].needs] == [("rows", "a")]


HANDED_OVER = {
    "changed-in-place": "import matplotlib.pyplot as plt\np = {'figure.figsize': (3, 2)}\n"
                        "p['axes.grid'] = True\nplt.rcParams.update(p)",
    "one-object-two-names": "import matplotlib.pyplot as plt\np = q = {'figure.figsize': (3, 2)}\n"
                            "q['axes.grid'] = True\nplt.rcParams.update(p)",
    "bound-in-a-branch": "import pandas as pd\nimport sys\nrows = 4\nif sys.argv:\n    rows = 5\n"
                         "pd.set_option('display.max_rows', rows)",
}


@pytest.mark.parametrize("source", HANDED_OVER.values(), ids=HANDED_OVER.keys())
def test_a_setting_from_a_value_changed_before_it_loads_the_value(source):
    a = run([("stage:a", source), ("stage:b", "z = 1")])
    assert not [d for d in a.diagnostics if d.code == "setting-not-made-again"], a.diagnostics
    b = a.pipeline.stages[1]
    assert [n.name for n in b.needs] and b.settings_after_loads


def test_a_setting_from_a_notebook_function_defines_it_again_first():
    s = stages([("stage:a", "import pandas as pd\ndef fmt(x):\n    return f'{x:.1f}'\n"
                            "pd.options.display.float_format = fmt"),
                ("stage:b", "z = 1")])
    assert [d.name for d in s["b"].definitions] == ["fmt"]
    assert s["b"].settings_after_loads == ("pd.options.display.float_format = fmt",)


def test_a_setting_whose_value_is_bound_again_later_is_a_warning_from_that_stage_on():
    a = run([("stage:a", "import pandas as pd\nrows = len('abcd')\n"
                         "pd.set_option('display.max_rows', rows)"),
             ("stage:b", "z = 1"), ("stage:c", "rows = 3"), ("stage:d", "y = 2")])
    found = [d for d in a.diagnostics if d.code == "setting-not-made-again"]
    assert len(found) == 1 and (found[0].cell, found[0].line) == (0, 3), a.diagnostics
    assert "stage 'd'" in found[0].message
    b, c, d = a.pipeline.stages[1:]
    assert b.settings_after_loads == c.settings_after_loads != ()
    assert d.settings_after_loads == () and "display.max_rows" not in " ".join(d.settings)


WHOLE = {
    "if": ("import sys\nimport warnings\nif not sys.warnoptions:\n    warnings.simplefilter('ignore')",
           "if not sys.warnoptions:\n    warnings.simplefilter('ignore')"),
    "try": ("import pandas as pd\ntry:\n    pd.set_option('future.no_silent_downcasting', True)\n"
            "except (KeyError, pd.errors.OptionError):\n    pass",
            "try:\n    pd.set_option('future.no_silent_downcasting', True)\n"
            "except (KeyError, pd.errors.OptionError):\n    pass"),
    "setattr-in-a-loop": ("import json\nfor k in ['A', 'B']:\n    setattr(json, k, 1)",
                          "for k in ['A', 'B']:\n    setattr(json, k, 1)"),
    "for": ("import warnings\nfor cat in (FutureWarning, DeprecationWarning):\n"
            "    warnings.filterwarnings('ignore', category=cat)",
            "for cat in (FutureWarning, DeprecationWarning):\n"
            "    warnings.filterwarnings('ignore', category=cat)"),
}


@pytest.mark.parametrize("source,made", WHOLE.values(), ids=WHOLE.keys())
def test_an_if_for_or_try_made_of_settings_alone_is_made_again_whole(source, made):
    a = run([("stage:a", source), ("stage:b", "z = 1")])
    assert not [d for d in a.diagnostics if d.code == "setting-not-made-again"], a.diagnostics
    assert a.pipeline.stages[1].settings[-1] == made


WARNED = {
    "module-attribute-in-an-if": "import json\nimport sys\nif sys.argv:\n    json.K = 2\n    x = 1",
    "if-with-more-than-settings": "import warnings\nif True:\n    warnings.simplefilter('ignore')\n"
                                  "    x = 1",
    "loop-over-a-computed-value": "import warnings\ncats = [FutureWarning] * len('ab')\n"
                                  "for cat in cats:\n    warnings.filterwarnings('ignore', category=cat)",
    "changed-after-it": "import pandas as pd\nrows = list(range(4))\n"
                        "pd.set_option('display.max_rows', len(rows))\nrows.append(5)",
    "function-local": "import pandas as pd\ndef setup(n):\n    pd.set_option('display.max_rows', n)\n"
                      "setup(3)",
}


@pytest.mark.parametrize("source", WARNED.values(), ids=WARNED.keys())
def test_a_setting_that_cannot_be_made_again_is_a_warning_at_its_cell(source):
    a = run([("stage:a", source), ("stage:b", "z = 1")])
    found = [d for d in a.diagnostics if d.code == "setting-not-made-again"]
    assert found and found[0].cell == 0 and not found[0].is_error, a.diagnostics
    assert "later stages" in found[0].message


def test_ipython_last_result_from_another_stage_is_refused_with_its_cell():
    a = run([("stage:a", "21 * 2"), ("stage:b", "print(_)")])
    found = [d for d in a.errors if d.code == "last-result"]
    assert found and found[0].cell == 1 and "stage 'a'" in found[0].message, a.diagnostics


def test_ipython_last_result_from_the_same_stage_is_fine():
    s = stages([("stage:a", "x = 1"), ("stage:b", "21 * 2"), (None, "print(_)")])
    assert s["b"].needs == ()


def test_files_after_chdir_count_in_the_folder_it_moved_to():
    s = stages([("stage:a", "import os\nopen('sub/x.txt', 'w').write('in')\nos.chdir('sub')"),
                ("stage:b", "t = open('x.txt').read()")])
    assert s["a"].outs == ("sub/x.txt",)
    assert [(f.path, f.producer) for f in s["b"].file_inputs] == [("sub/x.txt", "a")]
    assert s["b"].settings == ("import os", "os.chdir('sub')")


def test_a_registered_pandas_accessor_is_defined_again_in_every_later_stage():
    accessor = ("@pd.api.extensions.register_dataframe_accessor('stats')\nclass Stats:\n"
                "    def __init__(self, df):\n        self._df = df\n"
                "    def total(self):\n        return int(self._df.to_numpy().sum())")
    s = stages([("stage:a", f"import pandas as pd\n{accessor}"),
                ("stage:b", "print(pd.DataFrame({'a': [1]}).stats.total())"),
                ("stage:c", "x = 1")])
    assert s["b"].settings == s["c"].settings == ("import pandas as pd", accessor)


@pytest.mark.parametrize("definition", [
    "def add(x, acc=[]):\n    acc.append(x)\n    return len(acc)",
    "from functools import lru_cache\n@lru_cache(maxsize=None)\ndef add(x):\n    return x",
    "from functools import lru_cache\nseen = []\n@lru_cache(maxsize=None)\ndef add(x):\n"
    "    seen.append(x)\n    return x",
], ids=["mutable-default", "lru-cache", "lru-cache-with-a-side-effect"])
def test_a_function_that_keeps_state_between_calls_is_refused_across_stages(definition):
    a = run([("stage:a", definition), ("stage:b", "add(1)"), ("stage:c", "print(add(2))")])
    found = [d for d in a.diagnostics if d.code == "definition-keeps-state"]
    # A changed default is an error; a cache of a pure function a warning (it only saves
    # time); a cache of one with a side effect an error: the stage runs the body again where
    # the notebook took the cached result, and the side effect happens twice.
    pure_cache = "lru_cache" in definition and "seen" not in definition
    assert found[0].is_error == (not pure_cache)
    if "seen" in definition:
        assert "its body changes 'seen'" in found[0].message
    assert found and found[0].cell == 2 and "'add'" in found[0].message, a.diagnostics
    assert "stage 'b'" in found[0].message


@pytest.mark.parametrize("cls", [
    "class C:\n    count = 0\n    def __init__(self):\n        type(self).count += 1",
    "class C:\n    count = 0\n    def __init__(self):\n        self.__class__.count += 1",
    "class C:\n    count = 0\n    def __init__(self):\n        C.count += 1",
    "class C:\n    items = []\n    @classmethod\n    def make(cls):\n        cls.items.append(1)"
    "\n        return cls()",
    "class C:\n    seen = []\n    def __init__(self):\n        self.seen.append(1)",
], ids=["type-self", "self-class", "own-name", "classmethod", "class-list-through-self"])
def test_a_class_whose_methods_change_the_class_is_refused_across_stages(cls):
    a = run([("stage:a", cls + "\nc1 = C()"), ("stage:b", "c2 = C()"),
             ("stage:c", "print(C.__dict__)")])
    found = [d for d in a.diagnostics if d.code == "definition-keeps-state"]
    assert found and found[0].is_error and found[0].cell == 1, a.diagnostics
    assert "changes" in found[0].message and "'C'" in found[0].message


def test_a_class_with_a_cached_method_used_in_two_stages_is_warned_about():
    # as a cached function is: the results are the same, the cache (cache_info) is not
    cls = "import functools\nclass C:\n    @functools.cache\n    def f(self, x):\n        return x"
    a = run([("stage:a", cls + "\nc1 = C()\nc1.f(2)"), ("stage:b", "print(C.f.cache_info())")])
    found = [d for d in a.diagnostics if d.code == "definition-keeps-state"]
    assert found and not found[0].is_error and "@functools.cache on its method 'f'" in \
        found[0].message


def test_an_instance_changing_its_class_in_a_later_stage_is_warned_about():
    cls = "class C:\n    seen = []\n    def add(self, x):\n        self.seen.append(x)"
    a = run([("stage:a", cls + "\nc1 = C()"), ("stage:b", "c1.add(5)"),
             ("stage:c", "print(c1.seen)")])
    found = [d for d in a.diagnostics if d.code == "definition-keeps-state"]
    assert found and not found[0].is_error and "may load instances of 'C'" in found[0].message


@pytest.mark.parametrize("cls", [
    "class C:\n    seen = []\n    def __init__(self):\n        self.seen = []\n"
    "    def add(self, x):\n        self.seen.append(x)",
    "class C:\n    n = 0\n    def __init__(self):\n        self.n += 1",
], ids=["own-list", "int-counter-on-the-instance"])
def test_a_class_whose_methods_change_only_the_instance_keeps_no_state(cls):
    stages([("stage:a", cls + "\nc1 = C()"), ("stage:b", "c2 = C()\nc2.n = 1"),
            ("stage:c", "print(C.__dict__)")])


def test_a_function_with_state_used_in_one_stage_only_is_fine():
    stages([("stage:a", "def add(x, acc=[]):\n    acc.append(x)\n    return len(acc)"),
            ("stage:b", "add(1)\nprint(add(2))")])
