"""A stage another combination computed with the same command, dependency hashes and
parameters gets that result (outputs from DVC's cache, the `cache: false` ones kept by the
sweep, its dvc.lock entry), so the runner finds it up to date; with another parameter value it
is left to run. Real files and DVC's cache layout, no DVC process."""

from __future__ import annotations

from pathlib import Path

from jupyter_pipeline.experiments.reuse import StageMemo, restore_locked
from jupyter_pipeline.runner import lock as lockfile
from jupyter_pipeline.runner.dvc_cache import store_in_dvc_cache
from jupyter_pipeline.runner.hashing import HashCache
from jupyter_pipeline.runner.spec import Out, StageSpec

SPEC = StageSpec(name="fit", cmd=("python fit.py",), wdir=".", deps=("in.txt",),
                 outs=(Out("model"), Out("metrics.json", cache=False)),
                 params=(("params.yaml", ("k",)),))


def _root(base: Path, name: str, cache: Path, k: int) -> Path:
    root = base / name
    (root / ".dvc").mkdir(parents=True)
    (root / ".dvc" / "config").write_text(f"[cache]\n    dir = {cache}\n")
    (root / "in.txt").write_text("input\n")
    (root / "params.yaml").write_text(f"k: {k}\n")
    return root


def _computed(base: Path, cache: Path) -> Path:
    """A scratch where `fit` ran: outputs stored in the cache, its dvc.lock entry written."""
    root = _root(base, "a", cache, 1)
    (root / "model").mkdir()
    (root / "model" / "weights.bin").write_bytes(b"\x00\x01 trained with k=1")
    (root / "metrics.json").write_text('{"score": 0.9}')
    hashes = HashCache(root)
    store_in_dvc_cache(root, root / "model", hashes)
    lockfile.write_lock(root / "dvc.lock", {"fit": lockfile.stage_entry(SPEC, root, hashes)},
                        ["fit"])
    return root


def test_a_stage_with_the_same_inputs_is_restored_and_up_to_date(tmp_path):
    cache = tmp_path / "cache"
    done = _computed(tmp_path, cache)
    memo = StageMemo(cache)
    memo.record(done, [SPEC])
    fresh = _root(tmp_path, "b", cache, 1)
    assert memo.apply(fresh, [SPEC], ["fit"]) == ["fit"]
    assert (fresh / "model" / "weights.bin").read_bytes() == b"\x00\x01 trained with k=1"
    assert (fresh / "metrics.json").read_text() == '{"score": 0.9}'
    locked, _ = lockfile.read_lock(fresh / "dvc.lock")
    assert locked["fit"] == lockfile.read_lock(done / "dvc.lock")[0]["fit"]
    # what the runner asks before running a stage: nothing differs, so it is skipped
    assert lockfile.differences(SPEC, locked["fit"], fresh, HashCache(fresh)) is None


def test_another_parameter_value_is_left_to_run(tmp_path):
    cache = tmp_path / "cache"
    memo = StageMemo(cache)
    memo.record(_computed(tmp_path, cache), [SPEC])
    other = _root(tmp_path, "c", cache, 2)
    assert memo.apply(other, [SPEC], ["fit"]) == []
    assert not (other / "model").exists() and not (other / "dvc.lock").exists()


def test_outputs_dvc_lock_names_are_restored_from_the_cache(tmp_path):
    cache = tmp_path / "cache"
    done = _computed(tmp_path, cache)
    checkout = _root(tmp_path, "d", cache, 1)
    (checkout / "dvc.lock").write_bytes((done / "dvc.lock").read_bytes())
    (checkout / "metrics.json").write_text('{"score": 0.9}')  # git's: cache false
    restore_locked(checkout, [SPEC], cache)
    assert (checkout / "model" / "weights.bin").read_bytes() == b"\x00\x01 trained with k=1"
    locked, _ = lockfile.read_lock(checkout / "dvc.lock")
    assert lockfile.differences(SPEC, locked["fit"], checkout, HashCache(checkout)) is None
