"""Handed-on values are compared exactly, metadata included; by structure where the notebook
itself varies."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jupyter_pipeline.verify.values import same


def test_a_pandas_index_on_its_own_is_compared_not_crashed_on():
    assert same(pd.Index([1, 2]), pd.Index([1, 2])) is None
    assert same(pd.Index([1, 2]), pd.Index([1, 3])) is not None
    assert same(pd.RangeIndex(3), pd.RangeIndex(3)) is None
    assert same(pd.Index([1, 2]), pd.Index([1.0, 2.0])) == "dtype int64 != float64"


def test_a_datetime_index_s_freq_counts():
    days = pd.date_range("2020-01-01", periods=3, freq="D")
    assert same(days, days.copy()) is None
    assert same(days, pd.DatetimeIndex(list(days))) == "freq <Day> != None"
    assert same(pd.Series(1, index=days), pd.Series(1, index=pd.DatetimeIndex(list(days)))) == \
        "index freq <Day> != None"


def test_multiindex_levels_count_also_the_unused_ones():
    full = pd.MultiIndex.from_product([["a", "b"], [1, 2]], names=["k", "n"])
    kept = full[:2]  # level 0 still holds 'b'
    assert same(kept, kept.copy()) is None
    assert same(kept, kept.remove_unused_levels()) == "level 0: length 2 != 1"
    assert same(full, full.set_names(["k", "m"])) == "names ['k', 'n'] != ['k', 'm']"


def test_names_attrs_flags_and_categorical_order_count():
    frame = pd.DataFrame({"a": [1, 2]})
    renamed = frame.rename_axis("row")
    assert same(frame, renamed) == "index names [None] != ['row']"
    with_attrs = frame.copy()
    with_attrs.attrs["unit"] = "m"
    assert same(frame, with_attrs) == "attrs {} != {'unit': 'm'}"
    strict = frame.copy()
    strict.flags.allows_duplicate_labels = False
    assert "allows_duplicate_labels" in same(frame, strict)
    ab = pd.Series(pd.Categorical(["a", "b"], categories=["a", "b"]))
    ba = pd.Series(pd.Categorical(["a", "b"], categories=["b", "a"]))
    assert same(ab, ab.copy()) is None
    assert same(ab, ba) is not None
    assert same(pd.Series([1], name="x"), pd.Series([1], name="y")) == "name 'x' != 'y'"


def test_frame_values_and_dtypes():
    assert same(pd.DataFrame({"a": [1]}), pd.DataFrame({"a": [1.0]})) == \
        "dtypes of column 'a': int64 != float64"
    assert same(pd.DataFrame({"a": [np.nan]}), pd.DataFrame({"a": [np.nan]})) is None
    assert same(pd.Series([1.0, 2.0]), pd.Series([1.0, 2.5])).startswith("values differ")


def test_array_flags_count():
    a = np.arange(4.0)
    ro = a.copy()
    ro.flags.writeable = False
    assert same(a, a.copy()) is None
    assert same(a, ro) == "flag writeable True != False"
    assert same(np.zeros((2, 2)), np.asfortranarray(np.zeros((2, 2)))).startswith("flag")


@pytest.mark.parametrize("a, b", [
    (np.random.default_rng(1).random(3), np.random.default_rng(2).random(3)),
    (pd.DataFrame({"x": [0.1]}), pd.DataFrame({"x": [0.7]})),
    ({"k": [0.5, "a"]}, {"k": [0.9, "b"]}),
], ids=["array", "frame", "nested"])
def test_structure_only_ignores_values_but_not_types_or_shapes(a, b):
    assert same(a, b) is not None
    assert same(a, b, structure_only=True) is None


def test_structure_only_still_sees_a_different_type_or_shape():
    assert same(np.zeros(3), np.zeros(4), structure_only=True) is not None
    assert same(pd.DataFrame({"x": [1]}), pd.DataFrame({"y": [1]}), structure_only=True) \
        is not None
    assert same([1.0], [1], structure_only=True) == "[0]: type float != int"


def test_strings_and_paths_are_compared_after_normalising_the_scratch_folders():
    def text(s):
        return s.replace("/tmp/scratch/nb-run-1/proj", "/home/u/proj").replace(
            "/tmp/scratch/pipeline/proj", "/home/u/proj")

    from pathlib import Path

    assert same("/tmp/scratch/nb-run-1/proj/x.csv", "/tmp/scratch/pipeline/proj/x.csv",
                text=text) is None
    assert same(Path("/tmp/scratch/nb-run-1/proj"), Path("/tmp/scratch/pipeline/proj"),
                text=text) is None
    assert same("/tmp/scratch/nb-run-1/proj/a", "/tmp/scratch/pipeline/proj/b",
                text=text) is not None
