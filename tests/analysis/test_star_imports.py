"""`from helpers import *` of the notebook's own module (issue 10 item 6): the names it binds are
read from the module's source, so each is an import of the module as `from helpers import f`
is: the module is a dependency of the stages using them, its import is made again later for
what it sets, and its globals cross stages. One behaviour per test."""

from __future__ import annotations

from jupyter_pipeline.analysis.analyze import CellCache, analyze
from jupyter_pipeline.analysis.own_modules import star_names

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
    assert star_names(HELPERS) == ("np", "REGISTRY", "register", "add_one")
    assert star_names("try:\n    import ujson as js\nexcept ImportError:\n    import json as js\n"
                      "if True:\n    K: int = 3\nfor i in range(2):\n    pass") == ("js", "K", "i")


def test_a_literal_all_decides_what_a_star_import_binds():
    assert star_names("__all__ = ['f', '_g']\ndef f(): pass\ndef _g(): pass\nh = 1") == \
        ("f", "_g")


def test_names_that_cannot_be_read_without_running_the_module_are_unknown():
    assert star_names("__all__ = ['f'] + extra\n") is None
    assert star_names("from os.path import *\n") is None
    assert star_names("def f(:\n") is None


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
