"""Sharing through call results and unpacking: names that share objects are changed together
(a change through one is a change to all) and cross together (the stage that changes one hands
on every one a later stage reads)."""

from __future__ import annotations

import pytest

from .helpers import needs, stages

ROWS = "rows = [{'id': 1, 'v': 0}, {'id': 2, 'v': 0}]\n"


@pytest.mark.parametrize("share", [
    "best = max(rows, key=lambda r: r['id'])",
    "best = min(rows, key=lambda r: r['v'], default=None)",
    "best = next(iter(rows))",
    "best = {r['id']: r for r in rows}[1]",
    "best = {r['id']: r for r in rows}",
    "best = [r for r in rows if r['id'] > 1]",
    "best = sorted(rows, key=lambda r: r['v'])[0]",
    "first, *best = rows",
    "best = dict(enumerate(rows)).get(0)",
], ids=["max", "min-default", "next-iter", "dict-comprehension-item", "dict-comprehension",
        "list-comprehension", "sorted-element", "star-unpacking", "get"])
def test_a_change_through_a_result_that_shares_is_a_change_to_the_source(share):
    change = "best['v'] = 9" if "[r for r" not in share and "*best" not in share \
        else "best[0]['v'] = 9"
    if "{r['id']: r for r in rows}" in share and not share.endswith("[1]"):
        change = "best[1]['v'] = 9"
    s = stages([("stage:a", ROWS + share), ("stage:b", change), ("stage:c", "print(rows)")])
    assert needs(s["c"]) == {"rows": "b"}, "rows changed in stage b, through best"


def test_a_result_made_from_the_elements_is_not_sharing():
    s = stages([("stage:a", ROWS + "ids = [r['id'] * 10 for r in rows]"),
                ("stage:b", "ids.append(5)"), ("stage:c", "print(rows)")])
    assert needs(s["c"]) == {"rows": "a"}


def test_a_new_container_of_the_elements_is_a_copy_of_the_container():
    s = stages([("stage:a", ROWS + "ordered = sorted(rows, key=lambda r: r['v'])"),
                ("stage:b", "ordered.append({'id': 3})"), ("stage:c", "print(rows)")])
    assert needs(s["c"]) == {"rows": "a"}


PLOT = "import matplotlib.pyplot as plt\nfig, axes = plt.subplots(1, 2)"


def test_axes_drawn_in_a_later_stage_change_their_figure():
    s = stages([("stage:a", PLOT), ("stage:b", "axes[0].plot([1, 2])"),
                ("stage:c", "fig.savefig('f.png')")])
    assert needs(s["b"]) == {"axes": "a", "fig": "a"}, "loaded together, as one object graph"
    assert needs(s["c"]) == {"fig": "b"}


def test_a_table_plotted_is_not_changed():
    s = stages([("stage:a", "import pandas as pd\ndf = pd.DataFrame({'v': [1, 2]})"),
                ("stage:b", "df.plot()\ndf.hist()"), ("stage:c", "print(df)")])
    assert needs(s["c"]) == {"df": "a"}


def test_a_table_plotted_into_given_axes_draws_on_them():
    s = stages([("stage:a", PLOT + "\nimport pandas as pd\ndf = pd.DataFrame({'v': [1, 2]})"),
                ("stage:b", "df.plot(ax=axes[1])"), ("stage:c", "fig.savefig('f.png')")])
    assert needs(s["c"]) == {"fig": "b"}


def test_an_axis_taken_from_a_figure_changes_the_figure():
    s = stages([("stage:a", "import matplotlib.pyplot as plt\nfig = plt.figure()\n"
                            "ax = fig.add_subplot()"),
                ("stage:b", "ax.plot([1, 2])"), ("stage:c", "fig.savefig('f.png')")])
    assert needs(s["c"]) == {"fig": "b"}


def test_names_unpacked_from_a_tuple_literal_share_with_its_items():
    s = stages([("stage:a", "x = [1]\ny = [2]\na, b = x, y"), ("stage:b", "a.append(3)"),
                ("stage:c", "print(b, y)")])
    assert needs(s["c"]) == {"b": "b", "y": "b"}, "b is y: changed through a"


def test_a_notebook_function_drawing_on_the_axes_it_is_given_changes_the_figure():
    s = stages([("stage:a", PLOT + "\ndef draw(ax, v):\n    ax.hist(v)"),
                ("stage:b", "draw(axes[0], [1, 2, 2])"), ("stage:c", "fig.savefig('f.png')")])
    assert needs(s["c"]) == {"fig": "b"}


def test_a_notebook_function_drawing_on_global_axes_changes_the_figure():
    s = stages([("stage:a", "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\n"
                            "def draw():\n    ax.plot([1, 2])"),
                ("stage:b", "draw()"), ("stage:c", "fig.savefig('f.png')")])
    assert needs(s["c"]) == {"fig": "b"}


def test_a_notebook_function_plotting_a_table_it_is_given_leaves_it():
    s = stages([("stage:a", "import pandas as pd\ndf = pd.DataFrame({'v': [1]})\n"
                            "def show(frame):\n    frame.plot()"),
                ("stage:b", "show(df)"), ("stage:c", "print(df)")])
    assert needs(s["c"]) == {"df": "a"}


@pytest.mark.parametrize("view", [
    "b = a.reshape(2, 2)", "b = a.view()", "b = a.ravel()", "b = a.transpose()",
    "b = np.asarray(a)", "b = np.reshape(a, (2, 2))", "b = numpy.expand_dims(a, 0)",
    "b = np.broadcast_to(a, (2, 4))",
])
def test_a_numpy_view_made_by_a_call_changes_with_its_array(view):
    s = stages([("stage:a", "import numpy as np\nimport numpy\na = np.ones(4)\n" + view),
                ("stage:b", "np.multiply(a, 3, out=a)"), ("stage:c", "print(b)")])
    assert needs(s["c"]) == {"b": "b"}, "b is a view of a, which stage b changes"


@pytest.mark.parametrize("view", ["keys", "values", "items"])
def test_a_dict_view_changes_with_its_dict(view):
    s = stages([("stage:a", f"d = {{'a': 1}}\nk = d.{view}()"), ("stage:b", "d['b'] = 2"),
                ("stage:c", "print(list(k))")])
    assert needs(s["c"]) == {"k": "b"}, "k is a view of d, which stage b changes"


def test_a_numpy_call_that_copies_is_not_a_view():
    s = stages([("stage:a", "import numpy as np\na = np.ones(4)\nb = np.sort(a)"),
                ("stage:b", "a += 1"), ("stage:c", "print(b)")])
    assert needs(s["c"]) == {"b": "a"}


@pytest.mark.parametrize("store", ["d = {}\nd['k'] = c", "class H:\n    pass\nd = H()\nd.c = c"])
def test_an_object_stored_into_another_is_shared_with_it(store):
    s = stages([("stage:a", "c = [1]\n" + store), ("stage:b", "c.append(2)"),
                ("stage:c", "print(d)")])
    assert needs(s["c"]) == {"d": "b"}


@pytest.mark.parametrize("assign", ["x = y = []", "y = x = []", "x = holder['k'] = y = []"],
                         ids=["names", "names-reversed", "through-a-subscript"])
def test_the_targets_of_one_chained_assignment_are_one_object(assign):
    s = stages([("stage:a", "holder = {}\n" + assign), ("stage:b", "x.append(1)"),
                ("stage:c", "print(y)")])
    assert needs(s["c"]) == {"y": "b"}, "y is x: appended to in stage b"


@pytest.mark.parametrize("copy", ["b = rows.copy()", "import copy\nb = copy.copy(rows)",
                                  "b = rows.copy(deep=False)"],
                         ids=["copy-method", "copy-copy", "shallow-keyword"])
def test_a_shallow_copy_holds_the_same_elements(copy):
    s = stages([("stage:a", "rows = [[1], [2]]\n" + copy), ("stage:b", "b[0].append(9)"),
                ("stage:c", "print(rows)")])
    assert needs(s["c"]) == {"rows": "b"}, "rows[0] is b[0], changed in stage b"


def test_appending_to_a_shallow_copy_leaves_the_original_alone():
    s = stages([("stage:a", "rows = [[1], [2]]\nb = rows.copy()"), ("stage:b", "b.append([3])"),
                ("stage:c", "print(rows)")])
    assert needs(s["c"]) == {"rows": "a"}


def test_a_deep_copy_shares_nothing():
    s = stages([("stage:a", "import copy\nrows = [[1], [2]]\nb = copy.deepcopy(rows)"),
                ("stage:b", "b[0].append(9)"), ("stage:c", "print(rows)")])
    assert needs(s["c"]) == {"rows": "a"}


@pytest.mark.parametrize("split", ["np.split(a, 2)", "np.array_split(a, 3)", "np.hsplit(a, 2)"])
def test_the_parts_numpy_splits_an_array_into_are_views_of_it(split):
    s = stages([("stage:a", f"import numpy as np\na = np.arange(4.0)\nparts = {split}"),
                ("stage:b", "parts[0][:] = 7"), ("stage:c", "print(a)")])
    assert needs(s["c"]) == {"a": "b"}


def test_an_array_made_on_a_buffer_is_a_view_of_it():
    s = stages([("stage:a", "import numpy as np\nbuf = bytearray(8)\n"
                            "arr = np.frombuffer(buf, dtype=np.uint8)"),
                ("stage:b", "buf[0] = 7"), ("stage:c", "print(arr)")])
    assert needs(s["c"]) == {"arr": "b"}
