"""Values that share an object still share it after loading, however it is reached: no cut-off."""

from __future__ import annotations

import collections
import types

import numpy as np
import pandas as pd

from jupyter_pipeline.runtime import sharing


class Token:
    def __init__(self, payload):
        self.payload = payload


class Slotted:
    __slots__ = ("items",)

    def __init__(self, items):
        self.items = items


def _shared_after_loading(roundtrip, holder, get, shared) -> None:
    loaded, formats = roundtrip(holder=holder, shared=shared)
    assert formats["holder"] == formats["shared"] == "pickle-group"
    get(loaded["holder"]).append("changed")
    assert loaded["shared"][-1] == "changed"


def test_a_shared_list_past_ten_thousand_elements_is_still_shared(roundtrip):
    shared = [0]
    rows = [[i] for i in range(30_000)] + [shared]  # the old walk stopped at 10 000 objects
    _shared_after_loading(roundtrip, rows, lambda h: h[-1], shared)


def test_sharing_through_slots_deque_set_ordered_and_default_dicts(roundtrip):
    shared = [0]
    _shared_after_loading(roundtrip, Slotted(shared), lambda h: h.items, shared)
    _shared_after_loading(roundtrip, collections.deque([1, shared]), lambda h: h[1], shared)
    _shared_after_loading(roundtrip, collections.OrderedDict(k=shared), lambda h: h["k"],
                          shared)
    dd = collections.defaultdict(list)
    dd["k"] = shared
    _shared_after_loading(roundtrip, dd, lambda h: h["k"], shared)


def test_sharing_through_a_set_and_nested_containers(roundtrip):
    shared = [0]
    token = Token(shared)
    holder = {"a": ({token}, frozenset([(1, token)]))}
    loaded, _ = roundtrip(holder=holder, shared=shared)
    token2 = next(iter(loaded["holder"]["a"][0]))
    token2.payload.append("changed")
    assert loaded["shared"] == [0, "changed"]
    assert next(iter(loaded["holder"]["a"][1]))[1] is token2


def test_sharing_through_an_object_array_and_a_bound_method(roundtrip):
    shared = [0]
    cells = np.empty(2, dtype=object)
    cells[:] = [shared, None]
    loaded, _ = roundtrip(cells=cells, method=shared.append, shared=shared)
    loaded["cells"][0].append(1)
    loaded["method"](2)
    assert loaded["shared"] == [0, 1, 2]


def test_values_that_share_nothing_keep_their_own_files(roundtrip):
    frame = pd.DataFrame({"a": [1.0]})
    _, formats = roundtrip(frame=frame, column=frame["a"], rows=[[1], [2]], arr=np.ones(3))
    assert formats == {"frame": "parquet", "column": "pickle", "rows": "json", "arr": "npy"}


def test_past_the_walks_budget_all_values_are_kept_together_and_it_says_so(
        roundtrip, monkeypatch, capsys):
    monkeypatch.setattr(sharing, "BUDGET", 1000)
    shared = [0]
    loaded, formats = roundtrip(big=[[i] for i in range(2000)] + [shared], shared=shared,
                                other=np.arange(3))
    assert set(formats.values()) == {"pickle-group"}
    assert "too many objects" in capsys.readouterr().err
    loaded["big"][-1].append(1)
    assert loaded["shared"] == [0, 1]
    assert loaded["other"].tolist() == [0, 1, 2]


def test_the_walk_counts_each_object_once():
    # A value that refers to itself (a parent and its children) is walked once per object.
    parent = types.SimpleNamespace(children=[])
    parent.children.extend(types.SimpleNamespace(parent=parent) for _ in range(100))
    assert sharing.sharing_groups({"p": parent, "q": [1]}, budget=400) == [["p"], ["q"]]


def test_numpy_dtypes_and_scalars_do_not_tie_unrelated_values_together(roundtrip):
    # np.dtype("float64") and np.True_ are single shared objects; sharing them is not sharing
    _, formats = roundtrip(a={"dtype": np.dtype("float64"), "flag": np.True_},
                           b=[np.dtype("float64"), np.True_])
    assert formats == {"a": "pickle", "b": "pickle"}


def test_a_value_sharing_with_a_loaded_value_not_handed_on_is_named(tmp_path, capsys):
    from jupyter_pipeline.runtime import handoff

    handoff.save(str(tmp_path / "a"), {"rows": [[1], [2]], "n": 2}, stage="a")
    handoff._loaded.clear()
    rows = handoff.load(str(tmp_path / "a"), "rows")
    n = handoff.load(str(tmp_path / "a"), "n")
    handoff.save(str(tmp_path / "b"), {"best": max(rows), "total": n + 1}, stage="b")
    err = capsys.readouterr().err
    assert "stage 'b': 'best' shares objects with 'rows'" in err
    assert "'total'" not in err
    # handed on again from here, they travel together: nothing to say
    handoff.save(str(tmp_path / "c"), {"best": max(rows), "rows": rows}, stage="c")
    assert "shares objects" not in capsys.readouterr().err


def test_instances_of_one_class_are_not_tied_together_by_their_class(roundtrip):
    _, formats = roundtrip(a=Token([1]), b=Token([2]))
    assert formats == {"a": "pickle", "b": "pickle"}
