"""Handoffs through remote storage (runtime/remote.py): a folder every worker mounts, as an
fsspec `file://` URL here (S3 itself: tests/engines). Without a storage nothing changes."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from jupyter_pipeline.runtime import handoff, remote


@pytest.fixture()
def storage(tmp_path, monkeypatch):
    project, store = tmp_path / "project", tmp_path / "store"
    project.mkdir()
    monkeypatch.setenv(remote.STORAGE, f"file://{store}")
    monkeypatch.setenv(remote.PROJECT_ROOT, str(project))
    monkeypatch.setattr(remote, "_mirrors", {})
    handoff._loaded.clear()
    return project, store


def test_values_go_to_the_storage_and_come_back_from_it(storage):
    project, store = storage
    folder = project / "pipelines" / "nb" / "data" / "prep"
    frame = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    values = {"df": frame, "arr": np.arange(3.0), "meta": {"n": 2}, "obj": {1, 2}}
    handoff.save(str(folder), values, stage="prep", needed_by={n: ["fit"] for n in values})

    assert not folder.exists()  # nothing in the project folder: workers share only the store
    saved = store / "pipelines" / "nb" / "data" / "prep"
    assert sorted(p.name for p in saved.iterdir()) == [
        "arr.npy", "df.parquet", "index.json", "meta.json", "obj.pkl"]

    handoff._loaded.clear()
    remote._mirrors.clear()  # as a fresh worker: nothing downloaded yet
    pd.testing.assert_frame_equal(handoff.load(str(folder), "df"), frame)
    assert handoff.load(str(folder), "arr").tolist() == [0.0, 1.0, 2.0]
    assert handoff.load(str(folder), "meta") == {"n": 2}
    assert handoff.load(str(folder), "obj") == {1, 2}


def test_a_missing_folder_in_the_storage_names_its_url(storage):
    project, store = storage
    with pytest.raises(handoff.HandoffError) as err:
        handoff.load(str(project / "pipelines" / "nb" / "data" / "prep"), "df")
    assert f"'file://{store}/pipelines/nb/data/prep' has no saved values" in str(err.value)


def test_a_folder_outside_the_project_root_is_refused_with_what_to_set(storage, tmp_path):
    with pytest.raises(handoff.HandoffError) as err:
        handoff.save(str(tmp_path / "elsewhere"), {"x": 1}, stage="prep")
    assert "outside the project root" in str(err.value)
    assert remote.PROJECT_ROOT in str(err.value)


def test_an_unknown_storage_scheme_says_what_cannot_be_opened(storage, monkeypatch):
    project, _ = storage
    monkeypatch.setenv(remote.STORAGE, "nosuchscheme://bucket/prefix")
    with pytest.raises(handoff.HandoffError) as err:
        handoff.save(str(project / "data" / "a"), {"x": 1}, stage="prep")
    assert "'nosuchscheme://bucket/prefix/data/a'" in str(err.value)
    assert "Traceback" not in str(err.value)


def test_without_a_storage_handoffs_stay_local_and_fsspec_is_never_imported(tmp_path):
    code = (
        "import sys, os\n"
        "os.environ.pop('NB2PIPE_STORAGE', None)\n"
        "from jupyter_pipeline.runtime import handoff\n"
        f"handoff.save({str(tmp_path / 'a')!r}, {{'x': [1, 2]}}, stage='a')\n"
        f"assert handoff.load({str(tmp_path / 'a')!r}, 'x') == [1, 2]\n"
        "print('fsspec' in sys.modules)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"
    assert (tmp_path / "a" / "index.json").exists()
