"""Pickle that gives back what the notebook had, where the standard pickle does not.

- A numpy array that is a view of another array comes back as a view of that array's copy
  (same offset and strides), so views handed over with their array, at any depth, still share
  memory with it, and a view on its own keeps its strides.
- A read-only array comes back read-only.
- A class defined in the notebook (`__main__`) is found by name in the loading stage when that
  stage defines it the same way (nb2pipe re-defines classes from their source), else re-made
  from a copy of the class taken by value (cloudpickle): an instance loads in a stage that
  never names its class, and one made before the notebook redefined its class keeps the old one.
  A function defined with `def` in the notebook and held inside a value (`partial(clean, 2)`,
  a transformer's `func`) travels the same way. The re-made methods read their globals from the loading stage's namespace, as the
  notebook's methods read the notebook's, with the saving stage's values for names it lacks.
- pandas objects are pickled by pandas itself (flags, attrs, freq and levels are in its state).
"""

from __future__ import annotations

import functools
import hashlib
import io
import pickle
import sys
import types
import weakref
from typing import Any

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


_BEING_COPIED: set[int] = set()  # classes whose by-value copy is being written (cycles)


def _is_notebook_class(obj: Any) -> bool:
    return isinstance(obj, type) and getattr(obj, "__module__", None) == "__main__"


def _main_class_reduce(cls: type) -> tuple | None:
    """Load by name where the loading stage defines the class, else from a copy by value in
    which the classes it refers to (its bases, classes its methods use) are found the same way."""
    if id(cls) in _BEING_COPIED:
        return None
    _BEING_COPIED.add(id(cls))
    try:
        buffer = io.BytesIO()
        _by_value_pickler()(buffer, protocol=_PROTOCOL).dump(cls)
    except Exception:  # noqa: BLE001 - by value impossible: by name, as pickle does
        return None
    finally:
        _BEING_COPIED.discard(id(cls))
    return (notebook_class, (cls.__qualname__, buffer.getvalue(), definition_key(cls)))


def _code_key(code: types.CodeType) -> tuple:
    consts = tuple(_code_key(c) if isinstance(c, types.CodeType) else repr(c)
                   for c in code.co_consts)
    return (code.co_code, consts, code.co_names, code.co_varnames, code.co_freevars)


def definition_key(cls: type) -> str:
    """What a class's definition does, not where it was written: its bases and its methods'
    code without file names or line numbers. The same source defined again in another stage
    gives the same key; a class redefined differently gives another."""
    parts: list[Any] = [cls.__qualname__, [b.__qualname__ for b in cls.__bases__]]
    for name, attr in sorted(vars(cls).items()):
        if isinstance(attr, (staticmethod, classmethod)):
            attr = attr.__func__
        functions = [attr.fget, attr.fset, attr.fdel] if isinstance(attr, property) else [attr]
        for f in functions:
            if isinstance(f, types.FunctionType):
                parts.append((name, _code_key(f.__code__)))
    return hashlib.sha256(repr(parts).encode()).hexdigest()


@functools.lru_cache(maxsize=1)
def _by_value_pickler() -> type:
    import cloudpickle

    class ByValue(cloudpickle.Pickler):
        def reducer_override(self, obj: Any) -> Any:
            if _is_notebook_class(obj) and id(obj) not in _BEING_COPIED:
                reduced = _main_class_reduce(obj)
                if reduced is not None:
                    return reduced
            return super().reducer_override(obj)

    return ByValue


def _is_notebook_function(obj: Any) -> bool:
    """A function a cell defined with `def` at the top level (lambdas and closures are not:
    what they captured is not the notebook's to re-create)."""
    return isinstance(obj, types.FunctionType) and obj.__module__ == "__main__" \
        and obj.__qualname__ == obj.__name__ and "<" not in obj.__name__


def _main_function_reduce(f: Any) -> tuple | None:
    try:
        payload = _by_value(f)
    except Exception:  # noqa: BLE001 - by value impossible: by name, as pickle does
        return None
    return (notebook_function, (f.__name__, payload, _function_key(f)))


def _by_value(obj: Any) -> bytes:
    buffer = io.BytesIO()
    _by_value_pickler()(buffer, protocol=_PROTOCOL).dump(obj)
    return buffer.getvalue()


def _function_key(f: Any) -> str:
    return hashlib.sha256(repr(_code_key(f.__code__)).encode()).hexdigest()


class _ClassPickler(pickle.Pickler):
    """Standard pickling, except that classes and functions defined in the notebook also
    travel by value."""

    def reducer_override(self, obj: Any) -> Any:
        if _is_notebook_class(obj):
            return _main_class_reduce(obj) or NotImplemented
        if _is_notebook_function(obj):
            return _main_function_reduce(obj) or NotImplemented
        return NotImplemented


class _ExactPickler(_ClassPickler):
    def __init__(self, file: io.BytesIO) -> None:
        super().__init__(file, protocol=_PROTOCOL)
        self.notes: list[str] = []

    def reducer_override(self, obj: Any) -> Any:
        if _is_plain_ndarray(obj):
            return self._array(obj)
        if type(obj).__module__.startswith("pandas"):
            # Its own pickle is exact; its internal arrays (views, read-only under
            # copy-on-write) are pandas' business, not the notebook's.
            return (plain_loads, (dumps_plain(obj),))
        return super().reducer_override(obj)

    def _array(self, arr: Any) -> Any:
        owner = array_owner(arr)
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


def dumps(obj: Any) -> tuple[bytes, list[str]]:
    """The pickle, and notes on what could not be kept exactly."""
    if type(obj).__module__.startswith("pandas"):
        return dumps_plain(obj), []  # not wrapped: one copy of a large frame, not two
    buffer = io.BytesIO()
    pickler = _ExactPickler(buffer)
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

    # A Fortran-ordered array's memory, as one C-ordered run from the same first byte
    memory = owner if owner.flags.c_contiguous else owner.ravel(order="K")
    view = np.ndarray(shape, dtype, buffer=memory, offset=offset, strides=strides)
    view.flags.writeable = writeable and bool(owner.flags.writeable)
    return view


def read_only(arr: Any) -> Any:
    arr.flags.writeable = False
    return arr


# Classes re-made from their copy. cloudpickle applies a copy's attributes again to the class
# it made before (a subclass's copy carries its base), so their methods are pointed at the
# loading stage's globals after every load, not once.
_REMADE: weakref.WeakSet = weakref.WeakSet()


def notebook_class(qualname: str, payload: bytes, key: str = "") -> type:
    """The loading stage's class of that name when it is the same definition; else the copy
    (an object made before the notebook redefined its class keeps the class it was made by)."""
    main = sys.modules.get("__main__")
    if "<locals>" not in qualname:
        found: Any = main
        for part in qualname.split("."):
            found = getattr(found, part, None)
        if isinstance(found, type) and (not key or definition_key(found) == key):
            return found
    cls = pickle.loads(payload)
    _REMADE.add(cls)
    return cls


def notebook_function(name: str, payload: bytes, key: str = "") -> Any:
    """The loading stage's function of that name when it is the same code; else the copy,
    reading its globals from the loading stage's namespace as the notebook's function would."""
    main = sys.modules.get("__main__")
    found = getattr(main, name, None)
    if isinstance(found, types.FunctionType) and _function_key(found) == key:
        return found
    f = pickle.loads(payload)
    return _rebound(f, vars(main)) if main is not None else f


def _after_load() -> None:
    main = sys.modules.get("__main__")
    if main is not None:
        for cls in list(_REMADE):
            _read_globals_from(cls, vars(main))


def _read_globals_from(cls: type, namespace: dict) -> None:
    for key, attr in list(vars(cls).items()):
        if isinstance(attr, types.FunctionType):
            setattr(cls, key, _rebound(attr, namespace))
        elif isinstance(attr, (staticmethod, classmethod)) \
                and isinstance(attr.__func__, types.FunctionType):
            setattr(cls, key, type(attr)(_rebound(attr.__func__, namespace)))
        elif isinstance(attr, property):
            setattr(cls, key, property(*(_rebound(f, namespace) if f else None
                                         for f in (attr.fget, attr.fset, attr.fdel)), attr.__doc__))


def _rebound(f: Any, namespace: dict) -> Any:
    if not isinstance(f, types.FunctionType) or f.__module__ != "__main__" \
            or f.__globals__ is namespace:
        return f
    for name, value in f.__globals__.items():
        if not name.startswith("__"):
            namespace.setdefault(name, value)  # what the saving stage had, where this lacks it
    g = types.FunctionType(f.__code__, namespace, f.__name__, f.__defaults__, f.__closure__)
    g.__kwdefaults__ = f.__kwdefaults__
    g.__qualname__, g.__doc__, g.__module__ = f.__qualname__, f.__doc__, f.__module__
    g.__annotations__ = f.__annotations__
    g.__dict__.update(f.__dict__)
    return g


# --- loading ------------------------------------------------------------------------------

_STAND_INS: dict[tuple[str, str], type] = {}


def _stand_in(module: str, name: str) -> type:
    return _STAND_INS.setdefault((module, name), type(name, (), {"__module__": module}))


def _stand_in_function(name: str, payload: bytes, key: str = "") -> type:
    return _stand_in("__main__", name)


def _stand_in_class(qualname: str, payload: bytes, key: str = "") -> type:
    return _stand_in("__main__", qualname.rsplit(".", 1)[-1])


class _StandInUnpickler(pickle.Unpickler):
    """Outside the notebook (verify comparing values): a class or function the notebook
    defined is a stand-in class of the same name, the same in every file loaded."""

    def find_class(self, module: str, name: str) -> Any:
        if module == __name__ and name == "notebook_class":
            return _stand_in_class
        if module == __name__ and name == "notebook_function":
            return _stand_in_function
        if module == __name__ and name == "plain_loads":
            return _stand_in_plain_loads
        try:
            return super().find_class(module, name)
        except AttributeError:
            if module != "__main__":
                raise
            return _stand_in(module, name)


def _stand_in_plain_loads(data: bytes) -> Any:
    return _StandInUnpickler(io.BytesIO(data)).load()


def load(file: Any, stand_ins: bool = False) -> Any:
    if stand_ins:
        return _StandInUnpickler(file).load()
    value = pickle.Unpickler(file).load()
    if _REMADE:
        _after_load()
    return value
