"""A run-time net under the analysis: a stage must not change a value it loaded when a later
stage loads the same value from an earlier stage.

The analysis decides statically what each stage changes; when it misses a change (a call whose
effect it does not know, objects shared in a way it cannot see), the later stage reads the old
version and the pipeline silently computes something else than the notebook. The stage notebook
fingerprints such values after loading them and again before saving, and fails loudly, naming
the variable, the stages and (in a notebook) the first cell after which the value differed.

A fingerprint is a hash of the value's pickle: exact for what can cross stages at all (it is how
values cross), and cheap next to running the stage (one pickle per value, twice; see
BENCHMARKS.md). A value that cannot be pickled is not watched: it cannot cross stages either, and
the save step says so.
"""

from __future__ import annotations

import hashlib
import pickle
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

# Re-checking after every cell costs one fingerprint per watched value per cell; above this much
# fingerprinting time per check, only the end of the stage is checked (the cell is then unknown).
PER_CELL_BUDGET_S = 0.05


class ChangedLoadedValue(RuntimeError):
    """A loaded value changed although the analysis found no change: later stages would read
    the old version."""


@dataclass
class Watch:
    stage: str
    readers: Mapping[str, Sequence[str]]  # watched name -> later stages that read the old one
    producers: Mapping[str, str]  # watched name -> the stage it was loaded from
    prints: dict[str, bytes] = field(default_factory=dict)
    first_change: dict[str, str] = field(default_factory=dict)  # name -> cell where it differed
    per_cell: bool = False


def fingerprint(value: Any) -> bytes | None:
    """A hash of what the value is. Arrays' memory is hashed in place (pickle protocol 5's
    out-of-band buffers), not copied. A DataFrame or Series by its values, labels, dtypes and
    attrs only: pandas keeps internal state that reads change (merged blocks, caches, an index
    frequency that plotting infers), and the net must not call those a change."""
    digest = hashlib.blake2b(digest_size=16)
    try:
        _feed(digest, value)
    except Exception:  # noqa: BLE001 - unpicklable values cannot cross stages; not watched
        return None
    return digest.digest()


def _feed(digest: Any, value: Any) -> None:
    pandas = sys.modules.get("pandas")  # never import pandas for a stage that does not use it
    if pandas is not None and isinstance(value, (pandas.DataFrame, pandas.Series)):
        frame = value.to_frame() if isinstance(value, pandas.Series) else value
        meta = (type(value).__name__, getattr(value, "name", None), [str(c) for c in frame.columns],
                [str(t) for t in frame.dtypes], list(frame.index.names), str(frame.index.dtype),
                dict(value.attrs), frame.shape)
        digest.update(repr(meta).encode("utf-8", "backslashreplace"))
        try:
            rows = pandas.util.hash_pandas_object(frame, index=True)
        except TypeError:  # unhashable cells (lists, dicts): their pickle instead
            digest.update(pickle.dumps(frame, protocol=pickle.HIGHEST_PROTOCOL))
            return
        digest.update(rows.to_numpy().tobytes())
        return
    buffers: list[pickle.PickleBuffer] = []
    digest.update(pickle.dumps(value, protocol=5, buffer_callback=buffers.append))
    for buffer in buffers:
        try:
            digest.update(buffer.raw())
        except BufferError:  # not contiguous
            digest.update(bytes(buffer))


def watch(stage: str, readers: Mapping[str, Sequence[str]], producers: Mapping[str, str],
          namespace: Mapping[str, Any]) -> Watch:
    """Fingerprint the loaded values later stages read again; in IPython, also after each cell."""
    w = Watch(stage, readers, producers)
    started = time.perf_counter()
    for name in readers:
        if name in namespace:
            found = fingerprint(namespace[name])
            if found is not None:
                w.prints[name] = found
    w.per_cell = time.perf_counter() - started < PER_CELL_BUDGET_S
    if w.per_cell and w.prints:
        _after_each_cell(w, namespace)
    return w


def _after_each_cell(w: Watch, namespace: Mapping[str, Any]) -> None:
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return

    def check(result: Any) -> None:
        for name, before in w.prints.items():
            if name in w.first_change:
                continue
            if name in namespace and fingerprint(namespace[name]) != before:
                source = getattr(getattr(result, "info", None), "raw_cell", "") or ""
                first = next((line.strip() for line in source.splitlines() if line.strip()), "")
                w.first_change[name] = first
        if len(w.first_change) == len(w.prints):
            shell.events.unregister("post_run_cell", check)

    shell.events.register("post_run_cell", check)


def unchanged(w: Watch, namespace: Mapping[str, Any]) -> None:
    """Raise ChangedLoadedValue when a watched value differs from what was loaded."""
    changed = [name for name, before in w.prints.items()
               if name in namespace and fingerprint(namespace[name]) != before]
    if not changed:
        return
    name = changed[0]
    readers = ", ".join(f"'{r}'" for r in w.readers[name])
    where = ""
    if w.first_change.get(name):
        where = f" (first after the cell that starts with: {w.first_change[name]!r})"
    raise ChangedLoadedValue(
        f"stage '{w.stage}' changed '{name}'{where}, which it loaded from stage "
        f"'{w.producers[name]}', but nb2pipe's analysis did not see that change: stage(s) "
        f"{readers} would read the unchanged '{name}' from '{w.producers[name]}' and compute "
        f"something else than the notebook. nb2pipe stopped the run instead. Make the change "
        f"visible to nb2pipe (add the line '{name} = {name}' after the code that changes it: "
        f"the stage then hands the changed '{name}' on), or keep that code and the stages that "
        f"read '{name}' in one stage; and please report the construct")
