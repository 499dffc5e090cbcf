"""`from helpers import *` of the notebook's own module (issue 10 item 6): the names it binds are
read from the module's source, so each is an import of the module as `from helpers import f`
is: the module is a dependency of the stages using them, its import is made again later for
what it sets, and its globals cross stages. One behaviour per test."""

from __future__ import annotations

from jupyter_pipeline.analysis.analyze import CellCache, analyze
from jupyter_pipeline.analysis.own_modules import StarNames, star_names

from .helpers import build, needs

HELPERS = ("import numpy as np\nREGISTRY = []\n_private = 1\n"
           "def register(x):\n    REGISTRY.append(x)\n"
           "def add_one(rows):\n    rows.append(1)\n")


def own(cells, sources=None, modules=None):
    a = analyze(build(cells), cache=CellCache(),
                local_modules=modules if modules is not None else {"helpers": "helpers.py"},
                module_sources=sources if sources is not None else {"helpers": HELPERS})
    assert a.ok, [d.render("t.ipynb") for d in a.errors]
    return {s.name: s for s in a.pipeline.stages}


def test_the_names_a_star_import_binds_are_the_module_s_public_top_level_names():
    assert star_names(HELPERS) == StarNames(("np", "REGISTRY", "register", "add_one"))
    assert star_names("try:\n    import ujson as js\nexcept ImportError:\n    import json as js\n"
                      "if True:\n    K: int = 3\nfor i in range(2):\n    pass"
                      ).names == ("js", "K", "i")


def test_a_literal_all_decides_what_a_star_import_binds():
    assert star_names("__all__ = ['f', '_g']\ndef f(): pass\ndef _g(): pass\nh = 1") == \
        StarNames(("f", "_g"))


def test_a_module_s_own_star_imports_are_named_for_the_fold_to_follow():
    assert star_names("from os.path import *\nfrom util import *\nK = 1\n") == \
        StarNames(("K",), ("os.path", "util"))


def test_names_that_cannot_be_read_without_running_the_module_are_unknown():
    assert star_names("__all__ = ['f'] + extra\n") is None
    assert star_names("def f(:\n") is None


UTIL = "SCALE = [2]\ndef scaled(x):\n    return x * SCALE[0]\n"


def test_a_star_import_of_a_module_that_star_imports_another_binds_both_modules_names():
    s = own([("stage:a", "from helpers import *\nregister(scaled(1))"),
             ("stage:b", "SCALE[0] = 5"), ("stage:c", "print(REGISTRY, scaled(2))")],
            sources={"helpers": "from util import *\n" + HELPERS, "util": UTIL},
            modules={"helpers": "helpers.py", "util": "util.py"})
    assert s["a"].data_deps == ("helpers.py", "util.py")
    # both modules' globals cross: SCALE lives in util, REGISTRY in helpers
    assert needs(s["c"]) == {"@module:helpers": "b", "@module:util": "b"}


def test_a_star_import_of_a_module_that_star_imports_a_library_keeps_the_names_it_knows():
    s = own([("stage:a", "from helpers import *\nregister(sqrt(4))"), ("stage:b", "x = 1"),
             ("stage:c", "register(pi)\nprint(REGISTRY)")],
            sources={"helpers": "from math import *\n" + HELPERS})
    assert needs(s["c"]) == {"@module:helpers": "a"}  # REGISTRY, register are known
    assert "from helpers import *" in s["c"].imports  # for sqrt, pi: made again
    assert s["c"].data_deps == ("helpers.py",)


def test_a_function_from_a_star_import_uses_the_module_s_state_in_a_later_stage():
    s = own([("stage:a", "from helpers import *\nregister('a')"), ("stage:b", "x = 1"),
             ("stage:c", "register('c')\nprint(REGISTRY)")])
    assert needs(s["c"]) == {"@module:helpers": "a"}
    assert "@module:helpers" in s["a"].hands_on


def test_the_module_is_a_dependency_and_its_star_import_is_made_again_later():
    s = own([("stage:a", "from helpers import *\nrows = [1]"), ("stage:b", "print(rows)")])
    assert s["a"].data_deps == s["b"].data_deps == ("helpers.py",)
    assert s["b"].settings == ("from helpers import *",)


def test_a_name_the_star_import_binds_is_no_value_to_hand_over():
    s = own([("stage:a", "REGISTRY = 'mine'\nfrom helpers import *"), ("stage:b", "print(REGISTRY)")])
    assert "REGISTRY" not in needs(s["b"]) and "from helpers import *" in s["b"].imports


def test_a_star_import_of_a_module_written_by_writefile_reads_the_cell_s_names():
    s = own([("stage:a", "%%writefile mymod.py\nCOUNTS = {}\ndef bump(k):\n"
                         "    COUNTS[k] = COUNTS.get(k, 0) + 1"),
             ("stage:b", "from mymod import *\nbump('x')"), ("stage:c", "print(COUNTS)")],
            sources={}, modules={})
    assert needs(s["c"]) == {"@module:mymod": "b"}
    assert [(f.path, f.producer) for f in s["b"].file_inputs] == [("mymod.py", "a")]


def test_a_star_import_whose_names_are_unknown_is_made_again_in_every_later_stage():
    s = own([("stage:a", "from helpers import *\nrows = [1]"), ("stage:b", "print(rows)")],
            sources={})
    assert s["b"].imports == ("from helpers import *",)


def test_a_module_written_by_writefile_and_extended_by_writefile_append_has_both_parts():
    s = own([("stage:a", "%%writefile mymod.py\nCOUNTS = {}"),
             (None, "%%writefile -a mymod.py\ndef bump(k):\n    COUNTS[k] = COUNTS.get(k, 0) + 1"),
             ("stage:b", "from mymod import *\nbump('x')"), ("stage:c", "bump('y')"),
             ("stage:d", "print(COUNTS)")],
            sources={}, modules={})
    # `bump` comes from the appended part: a call of it uses the module, so its state crosses
    assert needs(s["d"]) == {"@module:mymod": "c"}


def test_cell_written_sources_follow_the_notebook_s_order():
    from jupyter_pipeline.analysis.own_modules import cell_written_sources

    assert cell_written_sources(["%%writefile m.py\nA = 1", "%%writefile --append m.py\nB = 2\n",
                                 "%%writefile n.py\nC = 3", "%%writefile m.py\nD = 4"]) == \
        {"m": "D = 4\n", "n": "C = 3\n"}
    assert cell_written_sources(["%%writefile m.py\nA = 1", "%%writefile -a m.py\nB = 2"]) == \
        {"m": "A = 1\nB = 2\n"}
