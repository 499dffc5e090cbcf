"""Pickle that gives back what the notebook had, where the standard pickle does not.

- A numpy array that is a view of another array comes back as a view of that array's copy
  (same offset and strides), so views handed over with their array, at any depth, still share
  memory with it, and a view on its own keeps its strides.
- A read-only array comes back read-only; a masked array with its fill value and attributes.
- A dict's `keys()` / `values()` / `items()` view comes back as a view of that dict's copy, so
  it still shows what is added to the dict later (the standard pickle cannot save one).
- Classes and functions the notebook defined travel by name and by value (definitions.py).
- pandas objects are pickled by pandas itself (flags, attrs, freq and levels are in its state).
"""

from __future__ import annotations

import gc
import io
import pickle
from typing import Any

from . import definitions

# A view whose array is this much bigger than the view is saved as a copy of its own: keeping
# the array would write it whole. The copy has the same values, not the same strides; `notes`
# says so.
VIEW_OWNER_LIMIT = 64 * 2**20
VIEW_OWNER_RATIO = 4

_PROTOCOL = pickle.HIGHEST_PROTOCOL


def _is_plain_ndarray(obj: Any) -> bool:
    t = type(obj)
    return t.__name__ == "ndarray" and t.__module__ == "numpy"


def array_owner(value: Any) -> Any:
    """The ndarray whose memory a numpy array uses (itself when it owns it), else None."""
    if not _is_plain_ndarray(value):
        return None
    while _is_plain_ndarray(value.base):
        value = value.base
    return value


class _ClassPickler(pickle.Pickler):
    """Standard pickling, except that classes and functions defined in the notebook also
    travel by value."""

    def reducer_override(self, obj: Any) -> Any:
        if definitions.is_notebook_class(obj):
            return definitions.main_class_reduce(obj) or NotImplemented
        if definitions.is_notebook_function(obj):
            return definitions.main_function_reduce(obj) or NotImplemented
        return NotImplemented


class _ExactPickler(_ClassPickler):
    def __init__(self, file: io.BytesIO, buffers: frozenset[int] = frozenset()) -> None:
        super().__init__(file, protocol=_PROTOCOL)
        self.notes: list[str] = []
        # ids of the bytearrays handed over themselves: an array on one of them stays a
        # window on it (not on the bytearray every array loaded from a pickle sits on)
        self.buffers = buffers

    def reducer_override(self, obj: Any) -> Any:
        if _is_plain_ndarray(obj):
            return self._array(obj)
        if _is_masked_array(obj):
            return _masked(obj)
        view = _DICT_VIEWS.get(type(obj))
        if view is not None:  # the dict is the one object a view refers to (its traverse)
            (viewed,) = gc.get_referents(obj)
            return (dict_view, (viewed, view))
        # A pandas object inside the value is pickled by pandas' own reduce (exact: flags,
        # attrs, freq and levels are in its state), here, in this pickle: its arrays are then
        # the same objects as the owners of the numpy views handed with it (`arr =
        # df["x"].values`), so a view still writes into the frame and the frame into the view.
        return super().reducer_override(obj)

    def _array(self, arr: Any) -> Any:
        owner = array_owner(arr)
        buffer = bytearray_under(owner)
        if buffer is not None and id(buffer) in self.buffers and arr.size \
                and not arr.dtype.hasobject:
            # `np.frombuffer(buf)`: saved as a window on the bytearray, which this pickle
            # saves once, so a change to buf still shows in the array (and back)
            import numpy as np

            start = np.frombuffer(buffer, dtype=np.uint8).__array_interface__["data"][0] \
                if len(buffer) else 0
            offset = arr.__array_interface__["data"][0] - start
            return (array_window, (buffer, offset, arr.shape, arr.strides, arr.dtype,
                                   bool(arr.flags.writeable)))
        if owner is not arr and not arr.dtype.hasobject \
                and (owner.flags.c_contiguous or owner.flags.f_contiguous):
            if owner.nbytes <= max(VIEW_OWNER_LIMIT, VIEW_OWNER_RATIO * arr.nbytes):
                start = owner.__array_interface__["data"][0]
                offset = arr.__array_interface__["data"][0] - start
                return (array_window, (owner, offset, arr.shape, arr.strides, arr.dtype,
                                       bool(arr.flags.writeable)))
            self.notes.append(
                f"a view of {arr.shape} into an array of {owner.nbytes // 2**20} MiB is saved as "
                "a copy: same values, but it no longer shares memory with that array")
        if not arr.flags.writeable:
            return (read_only, (arr.copy(order="K"),))
        return NotImplemented


_DICT_VIEWS = {type({}.keys()): "keys", type({}.values()): "values", type({}.items()): "items"}


def bytearray_under(owner: Any) -> bytearray | None:
    """The bytearray an array's memory is (through numpy's memoryview of it), or None."""
    base = getattr(owner, "base", None)
    if isinstance(base, memoryview) and type(base.obj) is bytearray:
        return base.obj
    return base if type(base) is bytearray else None


def _is_masked_array(obj: Any) -> bool:
    return any(c.__name__ == "MaskedArray" and c.__module__ in ("numpy.ma", "numpy.ma.core")
               for c in type(obj).__mro__)


def _masked(arr: Any) -> tuple:
    """A numpy masked array as numpy pickles it, then with its attributes as they were: numpy's
    own pickle reads `fill_value` (which caches a default on the array) and converts it to the
    array's dtype when it loads, so each save and load changed `_fill_value` (None, then '?' as
    <U1, then as object); `_sharedmask` and the other attributes were not kept at all."""
    attributes = dict(vars(arr))  # before numpy's reduce caches a fill value
    func, args, state = arr.__reduce__()[:3]
    vars(arr).update(_fill_value=attributes.get("_fill_value"))  # as the notebook had it
    return (masked_array, (func, args, state, attributes))


def dumps(obj: Any) -> tuple[bytes, list[str]]:
    """The pickle, and notes on what could not be kept exactly."""
    if type(obj).__module__.startswith("pandas"):
        return dumps_plain(obj), []  # not wrapped: one copy of a large frame, not two
    buffer = io.BytesIO()
    values = obj.values() if type(obj) is dict else (obj,)
    pickler = _ExactPickler(buffer, frozenset(id(v) for v in values if type(v) is bytearray))
    pickler.dump(obj)
    return buffer.getvalue(), pickler.notes


def dumps_plain(obj: Any) -> bytes:
    buffer = io.BytesIO()
    _ClassPickler(buffer, protocol=_PROTOCOL).dump(obj)
    return buffer.getvalue()


# --- what the pickles call when they load -------------------------------------------------

def plain_loads(data: bytes) -> Any:
    return pickle.loads(data)


def array_window(owner: Any, offset: int, shape: tuple, strides: tuple, dtype: Any,
                 writeable: bool) -> Any:
    import numpy as np

    if type(owner) is bytearray:  # np.frombuffer(buf) and views of it
        view = np.ndarray(shape, dtype, buffer=owner, offset=offset, strides=strides)
        view.flags.writeable = writeable
        return view
    # A Fortran-ordered array's memory, as one C-ordered run from the same first byte
    memory = owner if owner.flags.c_contiguous else owner.ravel(order="K")
    view = np.ndarray(shape, dtype, buffer=memory, offset=offset, strides=strides)
    view.flags.writeable = writeable and bool(owner.flags.writeable)
    return view


def masked_array(func: Any, args: tuple, state: Any, attributes: dict) -> Any:
    made = func(*args)
    made.__setstate__(state)
    vars(made).update(attributes)
    return made


def dict_view(viewed: dict, view: str) -> Any:
    return getattr(viewed, view)()


def read_only(arr: Any) -> Any:
    arr.flags.writeable = False
    return arr


# --- loading ------------------------------------------------------------------------------

class _StandInUnpickler(pickle.Unpickler):
    """Outside the notebook (verify comparing values): a class or function the notebook
    defined is a stand-in class of the same name, the same in every file loaded."""

    def find_class(self, module: str, name: str) -> Any:
        if module == definitions.__name__ and name == "notebook_class":
            return definitions.stand_in_class
        if module == definitions.__name__ and name == "notebook_function":
            return definitions.stand_in_function
        if module == __name__ and name == "plain_loads":
            return _stand_in_plain_loads
        try:
            return super().find_class(module, name)
        except AttributeError:
            if module != "__main__":
                raise
            return definitions.stand_in(module, name)


def _stand_in_plain_loads(data: bytes) -> Any:
    return _StandInUnpickler(io.BytesIO(data)).load()


def load(file: Any, stand_ins: bool = False) -> Any:
    if stand_ins:
        return _StandInUnpickler(file).load()
    value = pickle.Unpickler(file).load()
    definitions.after_load()
    return value
