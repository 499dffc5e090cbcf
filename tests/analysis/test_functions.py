"""Functions and classes: globals read at each call site, definitions re-emitted where used."""

from __future__ import annotations

from .helpers import needs, stages


def test_function_reading_a_global_needs_it_where_it_is_called():
    s = stages([("stage:a", "def f():\n    return k * 2"), ("stage:b", "k = 5"),
                ("stage:c", "y = f()")])
    c = s["c"]
    assert needs(c) == {"k": "b"}, "the value current at the call site"
    assert [d.name for d in c.definitions] == ["f"]
    assert "def f():" in c.definitions[0].source


def test_call_site_value_not_definition_site_value():
    s = stages([("stage:a", "k = 1\ndef f():\n    return k"), ("stage:b", "k = 2"),
                ("stage:c", "print(f())")])
    assert needs(s["c"]) == {"k": "b"}


def test_functions_called_by_functions_come_along():
    s = stages([("stage:a", "def g():\n    return base\ndef f():\n    return g() + 1\nbase = 3"),
                ("stage:b", "print(f())")])
    b = s["b"]
    assert sorted(d.name for d in b.definitions) == ["f", "g"]
    assert needs(b) == {"base": "a"}


def test_decorators_and_default_arguments_are_read_at_definition():
    s = stages([("stage:a", "deco = lambda fn: fn\nlimit = 3"),
                ("stage:b", "@deco\ndef f(n=limit):\n    return n")])
    assert needs(s["b"]) == {"deco": "a", "limit": "a"} or (
        needs(s["b"]) == {"limit": "a"} and [d.name for d in s["b"].definitions] == ["deco"])


def test_global_statement_makes_every_call_bind_the_name():
    s = stages([("stage:a", "count = 0\ndef bump():\n    global count\n    count = count + 1"),
                ("stage:b", "bump()"), ("stage:c", "print(count)")])
    assert needs(s["c"]) == {"count": "b"}


def test_nonlocal_stays_inside_the_function():
    s = stages([("stage:a", "total = 0\ndef outer():\n    total = 1\n    def inner():\n"
                            "        nonlocal total\n        total = 2\n    inner()\n"
                            "    return total"),
                ("stage:b", "outer()"), ("stage:c", "print(total)")])
    assert needs(s["c"]) == {"total": "a"}


def test_class_body_reads_outside_names_when_the_class_statement_runs():
    s = stages([("stage:a", "size = 4"), ("stage:b", "class Box:\n    width = size")])
    assert needs(s["b"]) == {"size": "a"}


def test_class_from_an_earlier_stage_is_re_defined_where_it_is_used():
    s = stages([("stage:a", "class Box:\n    def area(self):\n        return side ** 2\n"
                            "side = 3"),
                ("stage:b", "print(Box().area())")])
    assert [d.name for d in s["b"].definitions] == ["Box"]
    assert needs(s["b"]) == {"side": "a"}


def test_functions_are_not_handed_over_as_values():
    s = stages([("stage:a", "def f(x):\n    return x"), ("stage:b", "print(f(1))")])
    assert s["a"].hands_on == ()


def test_imports_are_re_emitted_in_each_stage_that_uses_them_never_handed_over():
    s = stages([("stage:a", "import numpy as np\nfrom os import path"),
                ("stage:b", "print(np.pi, path.sep)"), ("stage:c", "print(np.e)")])
    assert s["b"].imports == ("import numpy as np", "from os import path")
    assert s["c"].imports == ("import numpy as np",)
    assert s["a"].hands_on == ()


def test_classes_come_along_with_loaded_values_that_may_be_their_instances():
    s = stages([("stage:a", "class Point:\n    def norm(self):\n        return scale\n"
                            "scale = 2\np = Point()"),
                ("stage:b", "print(p)")])
    assert [d.name for d in s["b"].definitions] == ["Point"]
    assert needs(s["b"]) == {"p": "a", "scale": "a"}
