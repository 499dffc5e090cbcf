"""Classes and functions the notebook defined (in `__main__`), inside handed-over values.

Each travels by name and by value (a copy made with cloudpickle). Loading takes the loading
stage's class or function of that name when it is the same definition (nb2pipe re-defines them
from their source), else the copy: an instance loads in a stage that never names its class, an
object made before the notebook redefined its class keeps the class it was made by, and a
`partial(clean, 2)` or a transformer's `func` loads where `clean` is not defined. A copied
method or function reads its globals from the loading stage's namespace, as the notebook's read
the notebook's; names that namespace lacks get the saving stage's values. Lambdas and closures
are not copied: what they captured is not the notebook's to re-create.
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

_PROTOCOL = pickle.HIGHEST_PROTOCOL

_BEING_COPIED: set[int] = set()  # classes whose by-value copy is being written (cycles)


def is_notebook_class(obj: Any) -> bool:
    return isinstance(obj, type) and getattr(obj, "__module__", None) == "__main__"


def main_class_reduce(cls: type) -> tuple | None:
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
            if is_notebook_class(obj) and id(obj) not in _BEING_COPIED:
                reduced = main_class_reduce(obj)
                if reduced is not None:
                    return reduced
            return super().reducer_override(obj)

    return ByValue


def is_notebook_function(obj: Any) -> bool:
    """A function a cell defined with `def` at the top level (lambdas and closures are not:
    what they captured is not the notebook's to re-create)."""
    return isinstance(obj, types.FunctionType) and obj.__module__ == "__main__" \
        and obj.__qualname__ == obj.__name__ and "<" not in obj.__name__


def main_function_reduce(f: Any) -> tuple | None:
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


def after_load() -> None:
    """Point the re-made classes' methods at the loading stage's globals (after every load:
    cloudpickle sets a copy's attributes again on a class it made before)."""
    main = sys.modules.get("__main__")
    if _REMADE and main is not None:
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


_STAND_INS: dict[tuple[str, str], type] = {}


def _stand_in_new(cls: type, *args: Any, **kwargs: Any) -> Any:
    # What the pickle built the object from (an Enum member's value, an exception's message
    # through the class call, a namedtuple's fields through `__new__` alone): kept, so two
    # stand-ins compare by it.
    made = object.__new__(cls)
    if args or kwargs:
        vars(made).update(_args=args, _kwargs=kwargs)
    return made


def _stand_in_init(self: Any, *args: Any, **kwargs: Any) -> None:
    pass


def stand_in(module: str, name: str) -> type:
    """A class of this name, the same one each time, that any pickle can build an object
    of: called with any arguments (pickles of Enum members, exceptions and namedtuples call
    the class with their values), its objects keep their state in `__dict__`."""
    return _STAND_INS.setdefault((module, name), type(name, (), {
        "__module__": module, "__new__": _stand_in_new, "__init__": _stand_in_init}))


def stand_in_function(name: str, payload: bytes, key: str = "") -> type:
    return stand_in("__main__", name)


def stand_in_class(qualname: str, payload: bytes, key: str = "") -> type:
    return stand_in("__main__", qualname.rsplit(".", 1)[-1])
