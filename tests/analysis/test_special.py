"""Star imports, dynamic code, IPython syntax, files, parameters, syntax errors, tags."""

from __future__ import annotations

import pytest

from .helpers import codes, needs, run, stages


def test_star_import_warns_and_is_re_run_in_later_stages():
    a = run([("stage:a", "from math import *"), ("stage:b", "print(pi)")])
    assert a.ok and "star-import" in codes(a)
    assert "from math import *" in a.pipeline.stages[1].imports


@pytest.mark.parametrize("call", ["globals()['y'] = 1", "exec('y = 1')", "v = eval('x')",
                                  "locals()"])
def test_dynamic_code_warns_and_hands_everything_over(call):
    a = run([("stage:a", "x = 1\ny = 2"), ("stage:b", call), ("stage:c", "print(x, y)")])
    assert a.ok and "dynamic-code" in codes(a)
    c = a.pipeline.stages[2]
    assert needs(c) == {"x": "b", "y": "b"}


MAGICS = {
    "matplotlib": "%matplotlib inline\nx = 1",
    "shell": "!echo hi\nx = 1",
    "shell-assign": "x = !ls",
    "help": "len?\nx = 1",
    "cell-magic-bash": "%%bash\necho $HOME\nx = 1",
    "capture": "%%capture x\nprint(1)",
    "time": "%time x = 1",
    "time-cell": "%%time\nx = 1",
    "load-ext": "%load_ext autoreload\n%autoreload 2\nx = 1",
}


@pytest.mark.parametrize("source", MAGICS.values(), ids=MAGICS.keys())
def test_ipython_syntax_never_stops_a_conversion(source):
    a = run([("stage:a", source), ("stage:b", "y = 2")])
    assert a.ok, [d.message for d in a.errors]


@pytest.mark.parametrize("source", [MAGICS[k] for k in ("shell-assign", "capture", "time",
                                                        "time-cell")],
                         ids=["shell-assign", "capture", "time", "time-cell"])
def test_magics_that_bind_a_name_bind_it(source):
    s = stages([("stage:a", source), ("stage:b", "print(x)")])
    assert needs(s["b"]) == {"x": "a"}


def test_time_and_timeit_read_the_code_they_run_and_shell_reads_interpolations():
    s = stages([("stage:a", "v = 1\nw = 2\nd = 'data'"),
                ("stage:b", "%timeit f = v + 1\n!ls {d}\n%time z = w")])
    assert needs(s["b"]) == {"d": "a", "v": "a", "w": "a"}
    assert s["b"].uses_ipython


def test_timeit_does_not_bind():
    s = stages([("stage:a", "f = 0"), ("stage:b", "%timeit f = 1"), ("stage:c", "print(f)")])
    assert needs(s["c"]) == {"f": "a"}


def test_file_written_then_read_is_an_edge_without_a_variable():
    s = stages([("stage:a", "import pandas as pd\npd.DataFrame().to_csv('out/t.csv')"),
                ("stage:b", "t = pd.read_csv('out/t.csv')\nraw = open('raw.txt').read()")])
    assert s["a"].outs == ("out/t.csv",)
    assert [(f.path, f.producer) for f in s["b"].file_inputs] == [("out/t.csv", "a")]
    assert s["b"].data_deps == ("raw.txt",)
    assert s["b"].upstream == ("a",)


WRITERS = ["np.save('a.npy', x)", "plt.savefig('a.png')", "open('a.txt', 'w').write('x')",
           "joblib.dump(x, 'a.pkl')", "x.to_parquet('a.parquet')",
           "%%writefile a.txt\nhello"]


@pytest.mark.parametrize("source", WRITERS)
def test_files_written_by_literal_path(source):
    s = stages([("stage:a", "x = 1"), ("stage:b", source)])
    assert len(s["b"].outs) == 1


def test_path_built_from_a_string_constant():
    s = stages([("stage:a", "path = 'data/'\nimport pandas as pd\n"
                            "df = pd.read_csv(path + 'train.csv')\n"
                            "t = pd.read_csv(f'{path}test.csv')")])
    assert s["a"].data_deps == ("data/test.csv", "data/train.csv")


def test_parameters_are_typed_and_listed_by_the_stages_that_read_them():
    a = run([("parameters", "i = 3\nf = 1e-3\ns = 'two words'\nb = False\nl = [1, 'a']\n"
                            "d = {'k': [1]}\nn = None\ncomputed = i * 2"),
             ("stage:a", "print(f, s)"), ("stage:b", "print(b, computed)")])
    values = a.pipeline.param_values
    assert values == {"i": 3, "f": 0.001, "s": "two words", "b": False, "l": [1, "a"],
                      "d": {"k": [1]}, "n": None}
    assert type(values["f"]) is float and type(values["b"]) is bool
    st = {s.name: s for s in a.pipeline.stages}
    assert st["a"].params == ("f", "i", "s"), "i: the parameters cell's own `computed = i * 2`"
    assert st["b"].params == ("b",)
    assert needs(st["b"]) == {"computed": "a"}


@pytest.mark.parametrize("source,line", [('print "x"', 1), ("x = (1,\ny = 2", 1),
                                         ("x = 1\nif x\n  pass", 2)])
def test_unparsable_cells_are_errors_with_cell_line_and_caret(source, line):
    a = run([("stage:a", "ok = 1"), ("stage:b", source)])
    assert not a.ok
    d = a.errors[0]
    assert d.code == "syntax-error" and d.cell == 1 and d.line == line
    assert "^" in (d.excerpt or "")


def test_python_2_print_says_so():
    a = run([("stage:a", 'print "x"')])
    assert "Python 2" in a.errors[0].message


def test_a_file_a_stage_reads_then_rewrites_is_only_its_output():
    s = stages([("stage:a", "import os, json\nif os.path.exists('cache.json'):\n"
                            "    c = json.load(open('cache.json'))\n"
                            "json.dump({}, open('cache.json', 'w'))")])
    assert s["a"].outs == ("cache.json",) and s["a"].data_deps == ()


def test_getattr_on_sys_modules_is_dynamic():
    a = run([("stage:a", "x = 1"), ("stage:b", "import sys\nv = getattr(sys.modules['__main__'], 'x')"),
             ("stage:c", "print(x)")])
    assert "dynamic-code" in codes(a)
    assert needs(a.pipeline.stages[2]) == {"x": "b"}


def test_images_written_become_dvc_plots():
    from jupyter_pipeline.export.dvc_yaml import stage_entry
    from jupyter_pipeline.export.layout import Layout

    a = run([("stage:a", "import matplotlib.pyplot as plt\nplt.savefig('plots/h.png')")])
    entry = stage_entry(a.notebook, a.pipeline, a.pipeline.stages[0], Layout("t.ipynb"))
    assert entry["plots"] == ["plots/h.png"] and "plots/h.png" not in entry["outs"]
