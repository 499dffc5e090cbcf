"""The run-time net: a stage that changes a loaded value which a later stage reads from an
earlier stage fails loudly, instead of the later stage silently reading the old value."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jupyter_pipeline.runtime import guard


def test_a_fingerprint_sees_a_change_inside_a_nested_value():
    rows = [{"v": 1}, {"v": 3}]
    before = guard.fingerprint(rows)
    rows[0]["v"] = 100
    assert guard.fingerprint(rows) != before


def test_a_frame_whose_blocks_pandas_merges_in_place_is_unchanged():
    df = pd.DataFrame({"a": [1.0, 2.0]})
    df["b"] = 3.0  # a second block
    before = guard.fingerprint(df)
    df._consolidate_inplace()
    assert guard.fingerprint(df) == before
    df.iloc[0, 0] = -1.0
    assert guard.fingerprint(df) != before


def test_metadata_changes_count_and_views_are_hashed():
    s = pd.Series([1, 2], name="x")
    before = guard.fingerprint(s)
    s.attrs["unit"] = "m"
    assert guard.fingerprint(s) != before
    base = np.arange(10)
    view = base[::2]  # not contiguous
    before = guard.fingerprint(view)
    assert guard.fingerprint(view) == before
    base[2] = -1
    assert guard.fingerprint(view) != before


def test_an_unpicklable_value_is_not_watched():
    assert guard.fingerprint(i for i in range(3)) is None


def test_unchanged_raises_naming_the_value_the_stages_and_the_way_out():
    namespace = {"rows": [[1]], "other": 2}
    w = guard.watch("b", {"rows": ["c", "d"]}, {"rows": "a"}, namespace)
    guard.unchanged(w, namespace)  # nothing changed yet
    namespace["rows"][0].append(2)
    with pytest.raises(guard.ChangedLoadedValue) as e:
        guard.unchanged(w, namespace)
    message = str(e.value)
    assert "stage 'b' changed 'rows'" in message
    assert "loaded from stage 'a'" in message and "'c', 'd'" in message
    assert "'rows = rows'" in message
