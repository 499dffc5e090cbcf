"""IPython syntax: transformed as IPython does, the Python inside magics analysed, and nothing
about a magic ever stopping a conversion."""

from __future__ import annotations

import pytest

from .helpers import codes, needs, run, stages

MAGICS = {
    "matplotlib-inline": "%matplotlib inline",
    "load-ext": "%load_ext autoreload\n%autoreload 2",
    "config": "%config InlineBackend.figure_format = 'retina'",
    "pip": "%pip install pandas",
    "shell": "!echo hi",
    "shell-indented-in-a-loop": "for _i in range(2):\n    !echo hi",
    "shell-assign": "files = !ls",
    "magic-assign": "names = %who_ls",
    "help-after": "len?",
    "help-twice-after": "len??",
    "help-before": "?len",
    "help-method": "str.join?",
    "env": "%env MY_VAR=1",
    "time-line": "%time v = 1",
    "timeit-line-with-options": "%timeit -n 1 -r 1 sum([1])",
    "time-cell": "%%time\nv = 1",
    "timeit-cell": "%%timeit\nsum([1])",
    "capture": "%%capture out\nprint(1)",
    "capture-with-options": "%%capture --no-stderr out\nprint(1)",
    "bash": "%%bash\necho $HOME\nif [ -d x ]; then echo; fi",
    "html": "%%html\n<b>x = 1</b>",
    "writefile": "%%writefile notes.txt\nnot python at all {",
    "magics-inside-time-cell": "%%time\n!echo hi\nv = 1",
}


@pytest.mark.parametrize("source", MAGICS.values(), ids=MAGICS.keys())
def test_ipython_syntax_never_stops_a_conversion(source):
    a = run([("stage:a", source), (None, "x = 1"), ("stage:b", "print(x)")])
    assert a.ok, [d.render("t.ipynb") for d in a.errors]
    assert codes(a) == []
    assert needs(a.pipeline.stage("b")) == {"x": "a"}
    assert a.pipeline.stage("a").uses_ipython


LINE_MAGICS = {k: v for k, v in MAGICS.items() if not v.startswith("%%")}


@pytest.mark.parametrize("source", LINE_MAGICS.values(), ids=LINE_MAGICS.keys())
def test_the_python_around_line_magics_is_still_analysed(source):
    s = stages([("stage:a", f"{source}\nx = 1"), ("stage:b", "print(x)")])
    assert needs(s["b"]) == {"x": "a"}


def test_capture_binds_its_name_and_its_body_is_analysed():
    s = stages([("stage:a", "v = 1"), ("stage:b", "%%capture out\nprint(v)\nw = v + 1"),
                ("stage:c", "print(out, w)")])
    assert needs(s["b"]) == {"v": "a"}
    assert needs(s["c"]) == {"out": "b", "w": "b"}


def test_shell_assignment_binds_its_name():
    s = stages([("stage:a", "x = !ls"), ("stage:b", "print(x)")])
    assert needs(s["b"]) == {"x": "a"}


@pytest.mark.parametrize("source", ["!echo {var}", "!echo $var", "x = !ls {var}/sub",
                                    "!echo {var.upper()}"],
                         ids=["braces", "dollar", "assigned", "expression"])
def test_shell_commands_read_the_names_they_interpolate(source):
    s = stages([("stage:a", "var = 'data'"), ("stage:b", source)])
    assert needs(s["b"]) == {"var": "a"}


def test_a_shell_variable_that_is_no_python_name_is_no_error():
    # `$HOME` stays for the shell when no Python name HOME exists; a later HOME is unrelated.
    a = run([("stage:a", "!echo $HOME"), ("stage:b", "HOME = 1")])
    assert a.ok and needs(a.pipeline.stage("a")) == {}


def test_line_magics_read_the_names_they_interpolate():
    s = stages([("stage:a", "folder = 'data'"), ("stage:b", "%ls {folder}\n%env DIR=$folder")])
    assert needs(s["b"]) == {"folder": "a"}


def test_time_binds_what_its_code_binds_and_reads_what_it_reads():
    s = stages([("stage:a", "x = 2\ndef f(v):\n    return v * k\nk = 3"),
                ("stage:b", "%time y = f(x)"), ("stage:c", "print(y)")])
    assert needs(s["b"]) == {"x": "a", "k": "a"}
    assert [d.name for d in s["b"].definitions] == ["f"]
    assert needs(s["c"]) == {"y": "b"}


def test_time_cell_magic_analyses_its_body():
    s = stages([("stage:a", "x = 2"), ("stage:b", "%%time\ny = x + 1"), ("stage:c", "print(y)")])
    assert needs(s["b"]) == {"x": "a"} and needs(s["c"]) == {"y": "b"}


@pytest.mark.parametrize("source", ["%timeit f = x + 1", "%%timeit\nf = x + 1",
                                    "%timeit -n 3 f = x + 1"],
                         ids=["line", "cell", "with-options"])
def test_timeit_only_reads(source):
    s = stages([("stage:a", "x = 1\nf = 0"), ("stage:b", source), ("stage:c", "print(f)")])
    assert needs(s["b"]) == {"x": "a"}
    assert needs(s["c"]) == {"f": "a"}, "timeit runs in its own scope: f is not rebound"


@pytest.mark.parametrize("source", ["df?", "df??", "?df", "df.head?", "%pinfo df"],
                         ids=["after", "twice", "before", "attribute", "magic"])
def test_help_reads_the_object_it_shows(source):
    s = stages([("stage:a", "df = [1]"), ("stage:b", source)])
    assert needs(s["b"]) == {"df": "a"}


def test_bash_cell_body_is_not_python():
    s = stages([("stage:a", "x = 1"), ("stage:b", "%%bash\nx=2\necho $x"),
                ("stage:c", "print(x)")])
    assert needs(s["b"]) == {}
    assert needs(s["c"]) == {"x": "a"}, "the bash body's x=2 is the shell's"


def test_writefile_is_a_file_out_read_by_a_later_stage():
    s = stages([("stage:a", "%%writefile conf/settings.txt\nalpha=1"),
                ("stage:b", "text = open('conf/settings.txt').read()")])
    assert s["a"].outs == ("conf/settings.txt",)
    assert [(f.path, f.producer) for f in s["b"].file_inputs] == [("conf/settings.txt", "a")]


@pytest.mark.parametrize("source,line", [("%%time\nx = 1\nprint 'x'", 3),
                                         ("v = 1\n%time print 'x'", 2)],
                         ids=["cell-magic-body", "line-magic-code"])
def test_a_syntax_error_inside_a_magic_is_reported_at_its_line(source, line):
    a = run([("stage:a", "ok = 1"), ("stage:b", source)])
    d = a.errors[0]
    assert d.code == "syntax-error" and d.cell == 1 and d.line == line
    assert "Python 2" in d.message and "^" in d.excerpt


def test_timeit_of_a_call_reads_the_function_and_its_argument():
    s = stages([("stage:a", "x = [3, 1]\ndef f(v):\n    return sorted(v)"),
                ("stage:b", "%timeit f(x)"), ("stage:c", "print(x)")])
    assert needs(s["b"]) == {"x": "a"}
    assert [d.name for d in s["b"].definitions] == ["f"]
    assert needs(s["c"]) == {"x": "a"}, "f only reads x"
