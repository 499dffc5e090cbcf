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
