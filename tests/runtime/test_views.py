"""Numpy views handed over with the array they look into stay views of it."""

from __future__ import annotations

import numpy as np

from jupyter_pipeline.runtime import handoff


def test_a_view_and_its_array_still_share_memory_after_loading(tmp_path):
    arr = np.zeros(6)
    half, backwards = arr[:3], arr[::-2]
    handoff.save(str(tmp_path), {"arr": arr, "half": half, "backwards": backwards}, stage="a")
    a, h, b = (handoff.load(str(tmp_path), n) for n in ("arr", "half", "backwards"))
    h[:] = 7
    b[0] = 9
    assert a.tolist() == [7, 7, 7, 0, 0, 9]
    assert np.shares_memory(a, h)


def test_two_views_of_an_array_not_handed_over_share_it(tmp_path):
    arr = np.arange(5.0)
    handoff.save(str(tmp_path), {"left": arr[:3], "right": arr[2:]}, stage="a")
    left, right = handoff.load(str(tmp_path), "left"), handoff.load(str(tmp_path), "right")
    left[2] = 100
    assert right[0] == 100


def test_an_object_and_a_value_it_keeps_as_an_attribute_stay_shared(tmp_path):
    import types

    base = [1]
    bag = types.SimpleNamespace(items=base)
    handoff.save(str(tmp_path), {"bag": bag, "base": base}, stage="a")
    bag2, base2 = handoff.load(str(tmp_path), "bag"), handoff.load(str(tmp_path), "base")
    bag2.items.append(2)
    assert base2 == [1, 2]


def test_a_column_of_a_fortran_ordered_array_stays_a_view_of_it(tmp_path):
    grid = np.asfortranarray(np.zeros((3, 4)))
    handoff.save(str(tmp_path), {"grid": grid, "col": grid[:, 1]}, stage="a")
    handoff._loaded.clear()
    grid2, col2 = handoff.load(str(tmp_path), "grid"), handoff.load(str(tmp_path), "col")
    col2[:] = 5
    assert grid2[:, 1].tolist() == [5, 5, 5] and grid2.flags.f_contiguous


def test_views_nested_in_containers_still_share_their_array(tmp_path):
    arr = np.zeros(6)
    parts = {"head": arr[:3], "tail": [arr[3:]]}
    handoff.save(str(tmp_path), {"arr": arr, "parts": parts}, stage="a")
    handoff._loaded.clear()
    arr2, parts2 = handoff.load(str(tmp_path), "arr"), handoff.load(str(tmp_path), "parts")
    parts2["head"][0] = 1
    parts2["tail"][0][-1] = 2
    assert arr2.tolist() == [1, 0, 0, 0, 0, 2]


def test_a_view_into_a_much_larger_array_is_saved_alone_and_it_says_so(tmp_path, capsys,
                                                                       monkeypatch):
    from jupyter_pipeline.runtime import exact_pickle

    monkeypatch.setattr(exact_pickle, "VIEW_OWNER_LIMIT", 1000)
    big = np.zeros(10_000)
    handoff.save(str(tmp_path), {"corner": big[:5:2]}, stage="a")
    assert "no longer shares memory" in capsys.readouterr().err
    assert (tmp_path / "corner.pkl").stat().st_size < 10_000
    handoff._loaded.clear()
    assert handoff.load(str(tmp_path), "corner").tolist() == [0, 0, 0]


def test_an_array_taken_from_a_frame_still_writes_into_it_after_loading(roundtrip):
    """`arr = df["x"].values` is a view of the frame's memory (also under copy-on-write, where
    pandas objects never change each other): handed over with the frame, it still is."""
    import pandas as pd

    df = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [1, 2, 3]})
    loaded, formats = roundtrip(df=df, arr=df["x"].values, other=df["y"].copy())
    assert formats["df"] == formats["arr"] == "pickle-group" and formats["other"] != "pickle-group"
    loaded["df"].loc[0, "x"] = 5.0
    assert loaded["arr"].tolist() == [5.0, 2.0, 3.0]
    pd.testing.assert_frame_equal(loaded["df"].iloc[1:], df.iloc[1:])


def test_an_array_made_on_a_bytearray_still_shares_it_after_loading(tmp_path):
    buf = bytearray(8)
    arr, tail = np.frombuffer(buf, dtype=np.uint8), np.frombuffer(buf, dtype=np.uint8)[4:]
    handoff.save(str(tmp_path), {"buf": buf, "arr": arr, "tail": tail}, stage="a")
    buf2, arr2, tail2 = (handoff.load(str(tmp_path), n) for n in ("buf", "arr", "tail"))
    buf2[5] = 7
    assert arr2[5] == 7 and tail2[1] == 7 and arr2.flags.writeable


def test_arrays_loaded_from_a_pickle_are_saved_again_as_they_were(tmp_path):
    # An array loaded from a pickle sits on a bytearray of the pickle's own: that one is no
    # handed-over bytearray, and saving the array again must not treat it as one (a figure
    # handed on twice failed to load: "strides is incompatible with shape")
    arr = np.arange(12.0).reshape(3, 4)
    made = {"arr": arr, "col": arr[:, 1], "box": [arr, np.zeros((0, 4))[:, ::2]]}
    handoff.save(str(tmp_path / "a"), made, stage="a")
    first = {n: handoff.load(str(tmp_path / "a"), n) for n in made}
    handoff.save(str(tmp_path / "b"), first, stage="b")
    again = {n: handoff.load(str(tmp_path / "b"), n) for n in made}
    again["arr"][0, 1] = -1
    assert again["col"].tolist() == [-1, 5, 9] and again["box"][0] is again["arr"]
    assert again["box"][1].shape == (0, 2)
