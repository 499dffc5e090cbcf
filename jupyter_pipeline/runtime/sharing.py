"""Which handed-over values share objects, so that they are pickled together and a later stage
sees the same sharing the notebook had (`data = [train, test]`, a pipeline and its scaler).

The walk follows what the garbage collector sees an object refer to (`gc.get_referents`): list,
tuple, dict, set, deque, OrderedDict, defaultdict items, an object's `__dict__` and `__slots__`,
closures and bound methods' `__self__`, numpy object arrays' elements and a numpy view's array.
It has a budget; past it, the answer is "all of them together", never a partial answer.
"""

from __future__ import annotations

import gc
import types
from dataclasses import dataclass
from typing import Any, Iterator, Mapping

from .exact_pickle import array_owner, bytearray_under

# Objects the walk visits before it gives up and groups all values (≈ 1 s of walking).
BUDGET = 1_000_000

# Immutable and holding nothing: sharing one cannot be observed.
_ATOMS = frozenset({int, float, complex, str, bytes, bool, type(None), type(Ellipsis), range})
# Re-imported or re-defined by name, never copied into a pickle: not followed.
_BY_NAME = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType,
            types.CodeType, types.MethodDescriptorType, types.WrapperDescriptorType)


class _OverBudget(Exception):
    pass


def _pandas_copies_on_write() -> bool:
    import pandas as pd

    if int(pd.__version__.split(".")[0]) >= 3:
        return True
    try:
        return pd.options.mode.copy_on_write is True
    except AttributeError:  # pandas < 1.5: no such option
        return False


def _immutable_numpy(v: Any) -> bool:
    import numpy as np

    return isinstance(v, (np.dtype, np.generic))


def _immutable_pandas(v: Any) -> bool:
    import pandas as pd

    return isinstance(v, (pd.Index, pd.api.extensions.ExtensionDtype))


def _block_owner_ids(v: Any) -> list[int]:
    """The ids of the ndarrays holding a DataFrame's or Series' numpy columns."""
    blocks = getattr(getattr(v, "_mgr", None), "blocks", ())
    owners = (array_owner(getattr(b, "values", None)) for b in blocks)
    return [id(o) for o in owners if o is not None]


def _object_ids(value: Any, budget: list[int], memory: set[int] | None = None) -> set[int]:
    """The ids of the objects `value` reaches. `memory`, when given, collects the ids of the
    ndarrays holding the numpy columns of the copy-on-write pandas objects it reaches: shared
    with a numpy array they tie two values together, shared with another pandas object not."""
    ids: set[int] = set()
    memory = ids if memory is None else memory
    stack = [value]
    pandas_leaves: bool | None = None
    atoms, pop, push, extend = _ATOMS, stack.pop, stack.append, stack.extend
    while stack:
        v = pop()
        t = type(v)
        if t in atoms or id(v) in ids:
            continue
        ids.add(id(v))
        if len(ids) > budget[0]:
            raise _OverBudget
        # the common containers first, without a call into gc
        if t is list or t is tuple or t is set or t is frozenset:
            extend(v)
            continue
        if t is dict:
            extend(v)
            extend(v.values())
            continue
        if t is types.MethodType or t is types.BuiltinMethodType:
            # pickled as getattr(owner, name): the owner travels (`add = rows.append`)
            owner = getattr(v, "__self__", None)
            if owner is not None and not isinstance(owner, types.ModuleType):
                push(owner)
            continue
        if isinstance(v, _BY_NAME):
            # pickled by name, so the same object wherever it loads; only a notebook's own
            # function travels as a copy, whose identity is then worth keeping
            if not (t is types.FunctionType and v.__module__ == "__main__"):
                ids.discard(id(v))
            continue
        module = t.__module__
        if module == "numpy" or module.startswith("numpy."):
            owner = array_owner(v)
            if owner is not None:
                ids.add(id(owner))  # a view shares its owner's memory
                buffer = bytearray_under(owner)  # `np.frombuffer(buf)`: buf's memory
                if buffer is not None:
                    ids.add(id(buffer))
                if v.dtype.hasobject:
                    extend(v.ravel(order="K").tolist())
                continue
            if _immutable_numpy(v):  # a dtype or a scalar, often one shared object
                ids.discard(id(v))
                continue
        if module.startswith("pandas"):
            if pandas_leaves is None:
                pandas_leaves = _pandas_copies_on_write()
            if pandas_leaves:
                # Copy-on-write: two pandas objects never change each other, but a numpy
                # array taken from one (`arr = df["x"].values`) is a view of its memory.
                memory.update(_block_owner_ids(v))
                continue
            if _immutable_pandas(v):
                ids.discard(id(v))  # an Index or a dtype: frames share them unobservably
                continue
        extend(gc.get_referents(v))
    budget[0] -= len(ids)
    return ids


@dataclass
class _Reach:
    """What one value reaches: object ids, and the ids of the ndarrays holding the columns of
    the copy-on-write pandas objects it reaches (see _object_ids)."""

    objects: set[int]
    pandas_memory: set[int]


def _reach(value: Any, budget: list[int]) -> _Reach:
    memory: set[int] = set()
    return _Reach(_object_ids(value, budget, memory), memory)


class _Reached:
    """Which key reached each object first, to tell whom a new value shares with. Two values
    share when they reach one object, or when one reaches an array that holds a copy-on-write
    pandas object's column the other reaches (a view taken from the frame); two pandas objects
    over one array do not (neither changes the other)."""

    def __init__(self) -> None:
        self.objects: dict[int, Any] = {}
        self.pandas_memory: dict[int, Any] = {}

    def add(self, key: Any, reach: _Reach) -> None:
        for oid in reach.objects:
            self.objects.setdefault(oid, key)
        for oid in reach.pandas_memory:
            self.pandas_memory.setdefault(oid, key)

    def met(self, reach: _Reach) -> Iterator[Any]:
        """The keys `reach` shares with, objects first."""
        for oid in reach.objects:
            if oid in self.objects:
                yield self.objects[oid]
            if oid in self.pandas_memory:
                yield self.pandas_memory[oid]
        for oid in reach.pandas_memory:
            if oid in self.objects:
                yield self.objects[oid]


def sharing_groups(values: Mapping[str, Any], budget: int | None = None
                   ) -> list[list[str]] | None:
    """Names whose values share objects, grouped (union-find over object ids); None when the
    values are too many objects to tell within the budget."""
    if len(values) < 2:
        return [[name] for name in values]  # nothing to share with
    parent = {name: name for name in values}
    left = [BUDGET if budget is None else budget]

    def find(n: str) -> str:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    reached = _Reached()
    for name in sorted(values):
        try:
            reach = _reach(values[name], left)
        except _OverBudget:
            return None
        for other in reached.met(reach):
            parent[find(name)] = find(other)
        reached.add(name, reach)
    groups: dict[str, list[str]] = {}
    for name in sorted(values):
        groups.setdefault(find(name), []).append(name)
    return list(groups.values())


def shared_with(values: Mapping[str, Any], others: Mapping[Any, Any],
                budget: int | None = None) -> list[tuple[str, Any]]:
    """(name, other) for each value that shares an object with one of `others`; [] when the
    values are too many objects to tell within the budget."""
    left = [BUDGET if budget is None else budget]
    reached = _Reached()
    try:
        for key, other in others.items():
            reached.add(key, _reach(other, left))
        pairs = []
        for name in sorted(values):
            hit = next(reached.met(_reach(values[name], left)), None)
            if hit is not None:
                pairs.append((name, hit))
    except _OverBudget:
        return []
    return pairs
