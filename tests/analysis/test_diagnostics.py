"""Code the analysis cannot see through: star imports, dynamic code, unparsable cells."""

from __future__ import annotations

import warnings

import pytest

from .helpers import codes, diagnostic, needs, run


def test_star_import_warns_with_the_fix():
    a = run([("stage:a", "from math import *"), ("stage:b", "print(pi)")])
    d = diagnostic(a, "star-import")
    assert a.ok and not d.is_error and d.cell == 0 and d.line == 1
    assert "from math import a, b" in d.message


def test_star_import_is_re_run_in_every_later_stage():
    a = run([("stage:a", "from math import *\nv = 1"), ("stage:b", "print(v)"),
             ("stage:c", "print(pi)")])
    b, c = a.pipeline.stage("b"), a.pipeline.stage("c")
    assert "from math import *" in b.imports and "from math import *" in c.imports
    assert needs(c) == {}, "pi comes from the import, never handed over"


DYNAMIC = {
    "globals-write": "globals()['y'] = 1",
    "exec": "exec('y = 1')",
    "eval": "v = eval('x')",
    "locals": "locals()",
    "vars": "vars()",
    "getattr-sys-modules": "import sys\nv = getattr(sys.modules['__main__'], 'x')",
}


@pytest.mark.parametrize("call", DYNAMIC.values(), ids=DYNAMIC.keys())
def test_dynamic_code_warns_and_hands_everything_over(call):
    a = run([("stage:a", "x = 1\ny = [2]"), ("stage:b", call), ("stage:c", "print(x, y)")])
    d = diagnostic(a, "dynamic-code")
    assert a.ok and d.severity.value == "warning" and d.cell == 1
    assert needs(a.pipeline.stage("b")) == {"x": "a", "y": "a"}, "it may read any of them"
    assert needs(a.pipeline.stage("c")) == {"x": "b", "y": "b"}, "and may change any of them"


@pytest.mark.parametrize("call", ["exec('z = 1')", "for i in range(2):\n    globals()[f'v{i}'] = i"],
                         ids=["exec", "globals-in-a-loop"])
def test_a_name_no_statement_binds_comes_from_the_stage_with_dynamic_code(call):
    name = "z" if "exec" in call else "v1"
    a = run([("stage:a", call), ("stage:b", "w = 2"), ("stage:c", f"print({name}, len([]))")])
    assert needs(a.pipeline.stage("c")) == {name: "a"}
    assert name in a.pipeline.stage("a").hands_on


def test_without_dynamic_code_an_unbound_name_is_not_handed_over():
    a = run([("stage:a", "w = 1"), ("stage:b", "print(z)")])
    assert needs(a.pipeline.stage("b")) == {}


def test_vars_of_an_object_is_not_dynamic():
    a = run([("stage:a", "import types\no = types.SimpleNamespace(k=1)"),
             ("stage:b", "print(vars(o))")])
    assert "dynamic-code" not in codes(a)


SYNTAX_ERRORS = {
    "python-2-print": ('print "x"', 1, 1),
    "unclosed-paren": ("x = (1,\ny = 2", 1, 5),
    "missing-colon": ("x = 1\nif x\n    pass", 2, 5),
    "python-2-except": ("try:\n    pass\nexcept ValueError, e:\n    pass", 3, 8),
    "after-a-magic": ("%matplotlib inline\nx = = 1", 2, 5),
}


@pytest.mark.parametrize("source,line,column", SYNTAX_ERRORS.values(), ids=SYNTAX_ERRORS.keys())
def test_unparsable_cells_are_errors_with_cell_line_and_caret(source, line, column):
    a = run([("stage:a", "ok = 1"), ("stage:b", source)])
    assert not a.ok
    d = a.errors[0]
    assert d.code == "syntax-error" and d.cell == 1 and d.line == line
    assert d.column is not None
    text, caret = d.excerpt.splitlines()
    assert text == source.splitlines()[line - 1], "the user's line, not the transformed one"
    assert caret.endswith("^")


def test_python_2_print_says_so():
    a = run([("stage:a", 'print "x"')])
    assert "Python 2" in a.errors[0].message
    assert "cell 1, line 1" in a.errors[0].render("t.ipynb")


def test_a_syntax_error_leaves_no_stages_to_write():
    a = run([("stage:a", "x = 1"), ("stage:b", "x = = 2")])
    assert not a.ok and a.pipeline.stages == ()


def test_every_unparsable_cell_is_reported():
    a = run([("stage:a", "x = = 1"), ("stage:b", 'print "y"')])
    assert [d.cell for d in a.errors] == [0, 1]


def test_a_harmless_invalid_escape_is_no_error_even_when_warnings_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = run([("stage:a", "import re\npattern = re.compile('\\.csv$')")])
    assert a.ok and codes(a) == []
