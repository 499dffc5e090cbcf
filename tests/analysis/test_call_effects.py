"""Changes made through calls: a call not known to leave its arguments alone may change them,
so the stage that makes the call hands them on. Known libraries' functions read their
arguments, except the ones that write into them (`out=`, `copy=False`, ufunc `.at`,
`np.put_along_axis`, `np.copyto`); a function of the notebook's own module may do anything."""

from __future__ import annotations

import pytest

from .helpers import needs, stages

NUMPY = "import numpy as np\na = np.zeros(3)\nidx = np.array([0])"


def _changer(call: str, setup: str = NUMPY, name: str = "a") -> str:
    """The stage whose version of `name` the last stage loads, after stage b makes `call`."""
    s = stages([("stage:a", setup), ("stage:b", call), ("stage:c", f"print({name})")])
    return needs(s["c"])[name]


@pytest.mark.parametrize("call", [
    "np.add(a, 1, out=a)",
    "np.multiply(a, 2, out=a)",
    "np.add.at(a, idx, 1)",
    "np.put_along_axis(a, idx, 5.0, axis=0)",
    "np.copyto(a, np.ones(3))",
    "np.random.shuffle(a)",
], ids=["out", "out-keyword-later", "ufunc-at", "put_along_axis", "copyto", "shuffle"])
def test_a_numpy_call_that_writes_into_its_argument_hands_it_on(call):
    assert _changer(call) == "b"


@pytest.mark.parametrize("call", [
    "print(np.mean(a), np.sum(a))",
    "b = np.concatenate([a, a])",
    "b = np.where(a > 0, a, 0)",
], ids=["mean", "concatenate", "where"])
def test_a_numpy_call_that_only_reads_leaves_the_argument_where_it_was(call):
    assert _changer(call) == "a"


SKLEARN = ("import numpy as np\nfrom sklearn.preprocessing import StandardScaler, scale\n"
           "X = np.arange(6.0).reshape(3, 2)\nscaler = StandardScaler().fit(X)")


def test_an_estimators_transform_with_copy_false_changes_its_input():
    assert _changer("Xt = scaler.transform(X, copy=False)", SKLEARN, "X") == "b"


def test_a_library_function_with_copy_false_changes_its_input():
    assert _changer("Xs = scale(X, copy=False)", SKLEARN, "X") == "b"


def test_an_estimators_transform_that_copies_leaves_its_input():
    assert _changer("Xt = scaler.transform(X)", SKLEARN, "X") == "a"


def test_the_result_of_a_copy_false_call_shares_its_input():
    s = stages([("stage:a", SKLEARN), ("stage:b", "Xt = scaler.transform(X, copy=False)"),
                ("stage:c", "Xt[0, 0] = 99.0"), ("stage:d", "print(X)")])
    assert needs(s["d"]) == {"X": "c"}, "changing Xt changes X: they are one array"


LOCAL = "import pandas as pd\ndf = pd.DataFrame({'v': [1, None]})\n"


@pytest.mark.parametrize("setup,call", [
    ("from helpers import clean", "clean(df)"),
    ("import helpers", "helpers.clean(df)"),
    ("import helpers as h", "out = h.clean(frame=df)"),
    ("from .tools import fix", "fix(df)"),
], ids=["from-import", "module", "alias-keyword", "relative"])
def test_a_function_of_the_notebooks_own_module_may_change_every_argument(setup, call):
    assert _changer(call, LOCAL + setup, "df") == "b"


def test_a_known_librarys_function_reads_its_arguments():
    assert _changer("from sklearn.utils import shuffle as sk_shuffle\nout = pd.concat([df])\n"
                    "print(pd.isna(df))", LOCAL, "df") == "a"


def test_a_notebook_function_writing_into_its_parameter_by_out_changes_the_argument():
    assert _changer("def bump(v):\n    np.add(v, 1, out=v)\nbump(a)") == "b"


@pytest.mark.parametrize("body,call", [
    ("def prep(frame):\n    helpers.clean(frame)", "prep(df)"),
    ("def prep():\n    helpers.clean(df)", "prep()"),
    ("def prep(frame):\n    helpers.clean(frame=frame)", "prep(frame=df)"),
], ids=["parameter", "global", "keyword"])
def test_a_notebook_function_passing_a_value_to_the_notebooks_module_may_change_it(body, call):
    assert _changer(call, LOCAL + "import helpers\n" + body, "df") == "b"


def test_a_notebook_function_passing_a_value_to_a_known_library_reads_it():
    assert _changer("print(stats(a))", NUMPY + "\ndef stats(v):\n    return np.mean(v)") == "a"


def test_a_notebook_function_given_to_an_unknown_library_is_not_changed_in_its_source():
    s = stages([("stage:a", "from keras_wrappers import Classifier\n"
                            "def build():\n    return 1\nclf = Classifier(build_fn=build)"),
                ("stage:b", "print(build())")])
    assert [d.name for d in s["b"].definitions] == ["build"]
