"""Functions, classes and imports: globals read at each call site, definitions and imports
re-emitted where they are used, `global`/`nonlocal`, decorators and defaults."""

from __future__ import annotations

import pytest

from .helpers import codes, defs, diagnostic, needs, run, stages

# -- a function body reads globals when it is called -------------------------------------------


def test_the_calling_stage_needs_the_global_and_re_defines_the_function():
    s = stages([("stage:a", "def f():\n    return k * 2"), ("stage:b", "k = 5"),
                ("stage:c", "y = f()")])
    c = s["c"]
    assert needs(c) == {"k": "b"}
    assert defs(c) == ["f"] and c.definitions[0].source == "def f():\n    return k * 2\n"
    assert s["a"].hands_on == (), "a function is never handed over as a value"


def test_the_value_at_the_call_site_not_at_the_definition():
    s = stages([("stage:a", "k = 1\ndef f():\n    return k"), ("stage:b", "k = 2"),
                ("stage:c", "print(f())")])
    assert needs(s["c"]) == {"k": "b"}


def test_a_function_defined_and_called_in_one_stage_is_not_re_defined():
    s = stages([("stage:a", "k = 1"), ("stage:b", "def f():\n    return k\ny = f()"),
                ("stage:c", "print(y)")])
    assert defs(s["b"]) == [] and needs(s["b"]) == {"k": "a"}
    assert defs(s["c"]) == [] and needs(s["c"]) == {"y": "b"}


def test_a_global_the_calling_stage_binds_first_is_its_own():
    s = stages([("stage:a", "k = 1\ndef f():\n    return k"), ("stage:b", "k = 2\nprint(f())")])
    assert needs(s["b"]) == {}


def test_passing_a_function_counts_as_using_it():
    s = stages([("stage:a", "k = 3\ndef f(v):\n    return v * k"),
                ("stage:b", "r = list(map(f, [1, 2]))")])
    assert defs(s["b"]) == ["f"] and needs(s["b"]) == {"k": "a"}


def test_functions_called_by_functions_come_along_with_their_globals():
    s = stages([("stage:a", "def g():\n    return base\ndef f():\n    return g() + 1\nbase = 3"),
                ("stage:b", "print(f())")])
    assert sorted(defs(s["b"])) == ["f", "g"]
    assert needs(s["b"]) == {"base": "a"}


def test_a_lambda_bound_to_a_name_is_re_defined_with_its_globals():
    s = stages([("stage:a", "k = 2\nf = lambda q: q + k"), ("stage:b", "print(f(1))")])
    assert defs(s["b"]) == ["f"] and needs(s["b"]) == {"k": "a"}


def test_a_function_that_changes_a_global_in_place_makes_the_caller_hand_it_on():
    s = stages([("stage:a", "items = []\ndef add():\n    items.append(1)"),
                ("stage:b", "add()"), ("stage:c", "print(items)")])
    assert needs(s["b"]) == {"items": "a"}
    assert needs(s["c"]) == {"items": "b"}


def test_a_function_from_an_earlier_stage_that_changes_its_parameter():
    s = stages([("stage:a", "df = {}\ndef f(d):\n    d['k'] = 1"), ("stage:b", "f(df)"),
                ("stage:c", "print(df)")])
    assert needs(s["c"]) == {"df": "b"}


def test_a_function_from_an_earlier_stage_that_only_reads_its_parameter():
    s = stages([("stage:a", "df = {'k': 0}\ndef f(d):\n    return d['k']"),
                ("stage:b", "v = f(df)"), ("stage:c", "print(df, v)")])
    assert needs(s["c"]) == {"df": "a", "v": "b"}


def test_a_class_called_with_a_value_may_keep_and_change_it():
    s = stages([("stage:a", "class Box:\n    def __init__(self, d):\n        self.d = d\n"
                            "data = {}"),
                ("stage:b", "b = Box(data)"), ("stage:c", "print(data)")])
    assert needs(s["c"]) == {"data": "b"}


# -- decorators, defaults, annotations: read where the definition runs -------------------------

def test_decorators_and_default_arguments_are_read_at_definition():
    s = stages([("stage:a", "import functools\ncache = functools.lru_cache(maxsize=None)\n"
                            "limit = 3"),
                ("stage:b", "@cache\ndef f(n=limit):\n    return n")])
    assert needs(s["b"]) == {"cache": "a", "limit": "a"}


def test_a_decorator_that_is_a_method_is_a_call_on_its_object():
    s = stages([("stage:a", "registry = []"),
                ("stage:b", "@registry.append\ndef f():\n    return 1"),
                ("stage:c", "print(registry)")])
    assert needs(s["c"]) == {"registry": "b"}


def test_a_decorator_that_is_a_function_from_an_earlier_stage_is_re_defined():
    s = stages([("stage:a", "def deco(fn):\n    return fn\nlimit = 3"),
                ("stage:b", "@deco\ndef f(n=limit):\n    return n")])
    assert defs(s["b"]) == ["deco"] and needs(s["b"]) == {"limit": "a"}


def test_a_re_defined_function_loads_its_defaults_even_if_the_stage_rebinds_them_later():
    # The re-definition runs before the stage's cells, so it needs a's `limit`.
    s = stages([("stage:a", "limit = 3\ndef f(n=limit):\n    return n"),
                ("stage:b", "limit = 9\nprint(f())")])
    assert defs(s["b"]) == ["f"] and needs(s["b"]) == {"limit": "a"}
    assert s["b"].definitions[0].after_loads


def test_a_re_defined_class_loads_what_its_body_reads_even_if_the_stage_rebinds_it():
    s = stages([("stage:a", "size = 3\nclass Box:\n    width = size\nb = Box()"),
                ("stage:b", "size = 4\nprint(b, Box.width)")])
    assert defs(s["b"]) == ["Box"] and needs(s["b"]) == {"b": "a", "size": "a"}


def test_a_default_rebound_after_the_definition_cannot_be_re_defined_faithfully():
    # The notebook's f keeps n=3; a re-definition in b would get n=5: an error, not stale data.
    a = run([("stage:a", "limit = 3\ndef f(n=limit):\n    return n\nlimit = 5"),
             ("stage:b", "print(f())")])
    d = diagnostic(a, "definition-reads-rebound")
    assert d.is_error and d.cell == 1 and "'limit'" in d.message and "'f'" in d.message


def test_a_class_only_maybe_needed_for_loaded_values_warns_instead():
    # b loads `b`, which might be a Box, so Box comes along; whether its width would differ
    # matters only if it is one: a warning, not an error.
    a = run([("stage:a", "size = 3\nclass Box:\n    width = size\nb = [1]\nsize = 4"),
             ("stage:b", "print(b)")])
    d = diagnostic(a, "definition-reads-rebound")
    assert a.ok and d.severity.value == "warning" and d.cell == 0 and d.line == 2


def test_repeating_the_same_import_is_not_a_rebinding():
    s = stages([("stage:a", "import numpy as np\ndef f(x: np.ndarray = None):\n    return x"),
                ("stage:b", "import numpy as np\nv = np.zeros(2)"), ("stage:c", "print(f(v))")])
    assert defs(s["c"]) == ["f"] and "import numpy as np" in s["c"].imports


def test_changing_a_default_in_place_is_no_rebinding():
    s = stages([("stage:a", "cfg = {}\ndef f(c=cfg):\n    return c"),
                ("stage:b", "cfg['k'] = 1"), ("stage:c", "print(f())")])
    assert needs(s["c"]) == {"cfg": "b"}


# -- global and nonlocal -----------------------------------------------------------------------

def test_global_statement_makes_every_call_bind_the_name():
    s = stages([("stage:a", "count = 0\ndef bump():\n    global count\n    count = count + 1"),
                ("stage:b", "bump()"), ("stage:c", "print(count)")])
    assert needs(s["b"]) == {"count": "a"}
    assert s["b"].hands_on == ("count",)
    assert needs(s["c"]) == {"count": "b"}


def test_global_statement_can_create_the_name():
    s = stages([("stage:a", "def setup():\n    global ready\n    ready = True"),
                ("stage:b", "setup()"), ("stage:c", "print(ready)")])
    assert needs(s["c"]) == {"ready": "b"}


def test_a_global_bound_by_a_nested_function_is_bound_by_the_outer_call():
    s = stages([("stage:a", "def outer():\n    def inner():\n        global g\n        g = 1\n"
                            "    inner()"),
                ("stage:b", "outer()"), ("stage:c", "print(g)")])
    assert needs(s["c"]) == {"g": "b"}


def test_nonlocal_stays_inside_the_function():
    s = stages([("stage:a", "total = 0\ndef outer():\n    total = 1\n    def inner():\n"
                            "        nonlocal total\n        total = 2\n    inner()\n"
                            "    return total"),
                ("stage:b", "outer()"), ("stage:c", "print(total)")])
    assert needs(s["b"]) == {}
    assert needs(s["c"]) == {"total": "a"}


def test_a_local_with_the_same_name_as_a_global_is_not_a_read():
    s = stages([("stage:a", "x = 1\ndef f():\n    x = 2\n    return x"), ("stage:b", "f()")])
    assert needs(s["b"]) == {}


# -- classes -----------------------------------------------------------------------------------

def test_class_body_reads_outside_names_when_the_class_statement_runs():
    s = stages([("stage:a", "size = 4"), ("stage:b", "class Box:\n    width = size")])
    assert needs(s["b"]) == {"size": "a"}


def test_class_bases_and_keywords_are_read_when_the_class_statement_runs():
    s = stages([("stage:a", "Base = object"), ("stage:b", "class Box(Base):\n    pass")])
    assert needs(s["b"]) == {"Base": "a"}


def test_method_bodies_read_globals_when_called_not_when_defined():
    s = stages([("stage:a", "side = 2"),
                ("stage:b", "class Box:\n    def area(self):\n        return side ** 2")])
    assert needs(s["b"]) == {}


def test_class_from_an_earlier_stage_is_re_defined_where_it_is_used():
    s = stages([("stage:a", "class Box:\n    def area(self):\n        return side ** 2\n"
                            "side = 3"),
                ("stage:b", "print(Box().area())")])
    assert defs(s["b"]) == ["Box"]
    assert needs(s["b"]) == {"side": "a"}


def test_classes_come_along_with_loaded_values_that_may_be_their_instances():
    s = stages([("stage:a", "class Point:\n    def norm(self):\n        return scale\n"
                            "scale = 2\np = Point()"),
                ("stage:b", "print(p)")])
    assert defs(s["b"]) == ["Point"]
    assert needs(s["b"]) == {"p": "a", "scale": "a"}


def test_a_method_call_on_an_instance_may_change_it():
    s = stages([("stage:a", "class P:\n    def move(self):\n        self.x = 1\np = P()"),
                ("stage:b", "p.move()"), ("stage:c", "print(p)")])
    assert needs(s["c"]) == {"p": "b"}


# -- imports -----------------------------------------------------------------------------------

def test_imports_are_re_emitted_in_each_stage_that_uses_them_never_handed_over():
    s = stages([("stage:a", "import numpy as np\nfrom os import path"),
                ("stage:b", "print(np.pi, path.sep)"), ("stage:c", "print(np.e)")])
    assert s["b"].imports == ("import numpy as np", "from os import path")
    assert s["c"].imports == ("import numpy as np",)
    assert s["a"].hands_on == () and needs(s["b"]) == {} and needs(s["c"]) == {}


@pytest.mark.parametrize("statement,use,imports", [
    ("import os.path", "os.path.sep", ("import os.path",)),
    ("import xml.etree.ElementTree as ET", "ET.Element", ("import xml.etree.ElementTree as ET",)),
    ("from collections import OrderedDict as OD", "OD()",
     ("from collections import OrderedDict as OD",)),
    ("from math import pi, e, tau", "pi + e", ("from math import pi", "from math import e")),
], ids=["dotted", "dotted-as", "from-as", "from-several-only-those-used"])
def test_import_forms_are_re_emitted_as_written(statement, use, imports):
    s = stages([("stage:a", statement), ("stage:b", f"print({use})")])
    assert s["b"].imports == imports
    assert needs(s["b"]) == {}


def test_a_stage_that_does_not_use_a_module_does_not_import_it():
    s = stages([("stage:a", "import numpy as np\nx = 1"), ("stage:b", "print(x)")])
    assert s["b"].imports == ()


def test_imports_used_inside_a_re_defined_function_come_along():
    s = stages([("stage:a", "import random\ndef g():\n    return random.random()"),
                ("stage:b", "print(g())")])
    assert s["b"].imports == ("import random",) and defs(s["b"]) == ["g"]


def test_an_import_in_a_branch_is_a_value_like_any_other():
    # `try: import ujson as json except ImportError: import json`: which module depends on the
    # run, so it travels as a value (the runtime re-imports modules by name).
    s = stages([("stage:a", "try:\n    import ujson as json\nexcept ImportError:\n"
                            "    import json"),
                ("stage:b", "print(json.dumps(1))")])
    assert needs(s["b"]) == {"json": "a"}


def test_analysis_of_calls_never_errors_on_unknown_callables():
    a = run([("stage:a", "x = [1]"), ("stage:b", "unknown_callable(x)"), ("stage:c", "print(x)")])
    assert a.ok and codes(a) == []
    assert needs(a.pipeline.stage("c")) == {"x": "b"}, "an unknown callee may change x"


# -- a re-defined function runs its decorators again ------------------------------------------


def test_a_decorator_that_registers_the_function_would_register_it_twice():
    a = run([("stage:a", "registry = []\ndef register(fn):\n    registry.append(fn)\n"
                         "    return fn"),
             ("stage:b", "@register\ndef g():\n    return 1"),
             ("stage:c", "print(g(), len(registry))")])
    d = diagnostic(a, "decorator-runs-again")
    assert d.is_error and d.cell == 2
    assert "'register' may change 'registry'" in d.message


def test_a_method_decorator_that_stores_the_function_would_store_it_twice():
    a = run([("stage:a", "handlers = []"),
             ("stage:b", "@handlers.append\ndef on_load():\n    return 1"),
             ("stage:c", "print(on_load())")])
    assert diagnostic(a, "decorator-runs-again").is_error


def test_a_decorator_whose_wrapper_changes_a_global_when_called_is_fine():
    s = stages([("stage:a", "cache = {}\ndef memo(fn):\n    def wrapper(x):\n"
                            "        cache[x] = fn(x)\n        return cache[x]\n    return wrapper"),
                ("stage:b", "@memo\ndef sq(x):\n    return x * x"),
                ("stage:c", "print(sq(3), cache)")])
    assert sorted(defs(s["c"])) == ["memo", "sq"]


def test_a_library_decorator_is_fine():
    s = stages([("stage:a", "import functools\n@functools.lru_cache\ndef f(x):\n    return x"),
                ("stage:b", "print(f(2))")])
    assert defs(s["b"]) == ["f"]


# -- a class or function changed in place cannot cross as source -------------------------------


def test_a_class_attribute_changed_by_its_methods_is_lost_when_defined_again():
    a = run([("stage:a", "class Counter:\n    total = 0\n    def __init__(self):\n"
                         "        Counter.total += 1"),
             ("stage:b", "c = Counter()"), ("stage:c", "print(Counter.total)")])
    d = diagnostic(a, "definition-changed")
    assert d.is_error and d.cell == 2 and "stage 'b' changes in place (cell 2" in d.message


def test_an_attribute_set_on_a_function_is_lost_when_defined_again():
    a = run([("stage:a", "def f():\n    return 1"), ("stage:b", "f.calls = 3"),
             ("stage:c", "print(f.calls)")])
    assert diagnostic(a, "definition-changed").is_error


def test_a_class_changed_and_used_in_one_stage_is_fine():
    a = run([("stage:a", "class C:\n    n = 0"), ("stage:b", "C.n = 5\nprint(C.n)")])
    assert "definition-changed" not in codes(a)


def test_changing_an_instance_is_not_changing_its_class():
    s = stages([("stage:a", "class C:\n    def __init__(self):\n        self.n = 0"),
                ("stage:b", "c = C()\nc.n = 5"), ("stage:c", "print(c.n, C)")])
    assert needs(s["c"]) == {"c": "b"}


# -- a function defined in a branch ------------------------------------------------------------


def test_a_function_defined_in_an_if_cannot_cross_stages():
    a = run([("stage:a", "mode = 'x'\nif mode == 'x':\n    def op(v):\n        return v + 1\n"
                         "else:\n    def op(v):\n        return v - 1"),
             ("stage:b", "print(op(1))")])
    d = diagnostic(a, "conditional-definition")
    assert d.is_error and d.cell == 1 and "inside an if / try (line 6)" in d.message


def test_a_definition_as_an_import_fallback_is_a_warning():
    a = run([("stage:a", "try:\n    from scipy.special import expit\nexcept ImportError:\n"
                         "    def expit(v):\n        return v"),
             ("stage:b", "print(expit(0))")])
    assert a.ok and diagnostic(a, "conditional-definition").severity.value == "warning"


def test_a_function_defined_in_a_branch_and_used_in_its_stage_is_fine():
    a = run([("stage:a", "if True:\n    def op(v):\n        return v\nr = op(1)"),
             ("stage:b", "print(r)")])
    assert "conditional-definition" not in codes(a)
