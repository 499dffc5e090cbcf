"""Objects whose class decides what pickling saves of them (`__getstate__`, `__reduce__`) may
leave state out when handed to a later stage; that is refused at convert also where such an
object is reached indirectly: held in a list or dict, an attribute of another object, or made
by a notebook function or class (issue 10 item 4). One behaviour per test."""

from __future__ import annotations

import pytest

from .helpers import diagnostic, run

CACHE = ("class Cache:\n    def __init__(self):\n        self.data = {1: 2}\n        self.size = 1\n"
         "    def __getstate__(self):\n        return {}\n    def total(self):\n"
         "        return sum(self.data.values())\n")

INDIRECT = {
    "in-a-list": ("caches = [Cache()]", "print(caches[0].data)", 1),
    "in-a-comprehension": ("caches = [Cache() for _ in range(2)]", "print(caches)", 1),
    "in-a-dict-by-name": ("c = Cache()\nby_key = {'k': c}", "print(by_key['k'].data)", 2),
    "given-to-a-wrapper": ("class Box:\n    def __init__(self, v):\n        self.v = v\n"
                           "box = Box(Cache())", "print(box.v.data)", 4),
    "an-attribute": ("class Holder:\n    pass\nholder = Holder()\nholder.cache = Cache()",
                     "print(holder.cache.data)", 4),
    "appended": ("caches = []\ncaches.append(Cache())", "print(caches[0].data)", 2),
    "set-by-key": ("caches = {}\ncaches['a'] = Cache()", "print(caches['a'].data)", 2),
    "made-in-init": ("class Owner:\n    def __init__(self):\n        self.cache = Cache()\n"
                     "owner = Owner()", "print(owner.cache.data)", 4),
    "made-by-a-function": ("def make():\n    return Cache()\ncache = make()",
                           "print(cache.data)", 3),
    "a-subclass": ("class Sub(Cache):\n    pass\nsub = [Sub()]", "print(sub[0].data)", 3),
    "an-element-taken-out": ("caches = [Cache()]\nfirst = caches[0]\ndel caches",
                             "print(first.data)", 2),
}


@pytest.mark.parametrize("make,use,line", INDIRECT.values(), ids=INDIRECT.keys())
def test_an_object_that_pickles_without_its_state_is_refused_where_it_is_held(make, use, line):
    a = run([("stage:a", CACHE + make), ("stage:b", use)])
    d = diagnostic(a, "cannot-cross")
    assert d.is_error and "__getstate__" in d.message, d.message
    assert (d.cell, d.line) == (1, 1)  # where stage b uses it
    assert f"line {CACHE.count(chr(10)) + line}, stage 'a'" in d.message, d.message


def test_what_is_read_from_such_an_object_crosses_as_a_value_of_its_own():
    a = run([("stage:a", CACHE + "cache = Cache()\nsize = cache.size\nt = cache.total()"),
             ("stage:b", "print(size, t)")])
    assert a.ok, [d.message for d in a.errors]


def test_a_list_of_plain_objects_crosses():
    a = run([("stage:a", "class P:\n    def __init__(self):\n        self.v = 1\n"
                         "ps = [P()]\nholder = P()\nholder.p = P()"),
             ("stage:b", "print(ps[0].v, holder.p.v)")])
    assert a.ok, [d.message for d in a.errors]
