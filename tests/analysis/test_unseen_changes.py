"""Changes and state the fold used to miss (issue 10, found by the adversarial generator): calls
that change their arguments in ways the call's own name does not show, code reached through
`eval` or `%run`, helpers given a path, folder listings, settings made through a variable,
objects whose pickling leaves state out, a seed in a skipped cell, and the notebook's own
modules. One behaviour per test."""

from __future__ import annotations

from jupyter_pipeline.analysis.analyze import CellCache, analyze

from .helpers import build, codes, diagnostic, needs, run, stages


# -- calls that change what they are given ------------------------------------------------
def test_a_method_of_an_estimator_made_with_copy_false_changes_its_argument():
    s = stages([("stage:a", "import numpy as np\nX = np.ones((2, 1))"),
                ("stage:b", "from sklearn.preprocessing import StandardScaler\n"
                            "StandardScaler(copy=False).fit_transform(X)"),
                ("stage:c", "print(X)")])
    assert needs(s["c"]) == {"X": "b"}


def test_an_estimator_bound_with_copy_false_changes_what_its_methods_are_given():
    s = stages([("stage:a", "import numpy as np\nfrom sklearn.preprocessing import StandardScaler\n"
                            "X = np.ones((2, 1))\nscaler = StandardScaler(copy=False)"),
                ("stage:b", "scaler.fit_transform(X)"), ("stage:c", "print(X)")])
    assert needs(s["c"])["X"] == "b"


def test_an_estimator_with_copy_leaves_its_argument_alone():
    s = stages([("stage:a", "import numpy as np\nfrom sklearn.preprocessing import StandardScaler\n"
                            "X = np.ones((2, 1))"),
                ("stage:b", "Z = StandardScaler().fit_transform(X)"), ("stage:c", "print(X)")])
    assert needs(s["c"]) == {"X": "a"}


def test_operator_setitem_changes_its_first_argument():
    s = stages([("stage:a", "import operator\nd = {}"), ("stage:b", "operator.setitem(d, 'k', 1)"),
                ("stage:c", "print(d)")])
    assert needs(s["c"]) == {"d": "b"}


def test_a_bound_method_passed_as_a_callback_changes_its_receiver():
    s = stages([("stage:a", "import pandas as pd\nseen = []\ns = pd.Series([1, 2])"),
                ("stage:b", "s.apply(seen.append)"), ("stage:c", "print(seen)")])
    assert needs(s["c"]) == {"seen": "b"}


def test_an_attribute_shown_by_print_is_no_callback():
    a = run([("stage:a", "class Counter:\n    total = 0\n    def __init__(self):\n"
                         "        Counter.total += 1"),
             ("stage:b", "c = Counter()"), ("stage:c", "print(Counter.total)")])
    assert "definition-changed" in codes(a)  # the change is stage b's, not c's print


def test_a_lambda_that_changes_its_parameter_changes_what_map_is_given():
    s = stages([("stage:a", "rows = [[1], [2]]"),
                ("stage:b", "list(map(lambda r: r.append(0), rows))"), ("stage:c", "print(rows)")])
    assert needs(s["c"]) == {"rows": "b"}


def test_a_lambda_that_only_reads_leaves_the_arguments_alone():
    s = stages([("stage:a", "rows = [[1], [2]]"),
                ("stage:b", "print(list(map(lambda r: len(r), rows)))"), ("stage:c", "print(rows)")])
    assert needs(s["c"]) == {"rows": "a"}


# -- code nb2pipe cannot see --------------------------------------------------------------
def test_eval_inside_a_function_takes_every_value_in_where_it_is_called():
    a = run([("stage:a", "secret = 3\ndef get():\n    return eval('secret')"),
             ("stage:b", "print(get())")])
    assert {n.name: n.producer for n in a.pipeline.stages[1].needs} == {"secret": "a"}
    d = diagnostic(a, "dynamic-code")
    assert (d.cell, d.line) == (0, 2) and "'get'" in d.message


def test_run_script_binds_what_later_stages_read_and_reads_the_script():
    a = run([("stage:a", "%run -i script.py"), ("stage:b", "print(Z)")])
    first, second = a.pipeline.stages
    assert first.data_deps == ("script.py",)
    assert [(n.name, n.producer, n.maybe_unbound) for n in second.needs] == [("Z", "a", True)]
    assert "dynamic-code" in codes(a)


# -- files -----------------------------------------------------------------------------------
def test_a_glob_runs_after_the_stage_writing_into_that_folder():
    s = stages([("stage:a", "for i in range(3):\n    open(f'parts/p{i}.txt', 'w').write('x')"),
                ("stage:b", "import glob\nprint(glob.glob('parts/*.txt'))")])
    assert s["b"].after == ("a",)


def test_a_listing_runs_after_the_stage_writing_a_known_file_there():
    s = stages([("stage:a", "import pandas as pd\npd.DataFrame().to_csv('res/t.csv')"),
                ("stage:b", "from pathlib import Path\nprint(list(Path('res').iterdir()))"),
                ("stage:c", "import os\nprint(os.listdir('res'))")])
    assert s["b"].after == s["c"].after == ("a",)


def test_a_glob_in_the_working_directory_runs_after_the_writer_of_a_matching_file():
    s = stages([("stage:a", "import pandas as pd\npd.DataFrame().to_csv('file1.csv')"),
                ("stage:b", "from pathlib import Path\nprint(sorted(Path.cwd().glob('file?.csv')))")])
    assert s["b"].after == ("a",)


def test_a_listing_of_another_folder_is_not_ordered_after_the_writer():
    s = stages([("stage:a", "for i in range(3):\n    open(f'parts/p{i}.txt', 'w').write('x')"),
                ("stage:b", "import glob\nprint(glob.glob('other/*.txt'))")])
    assert s["b"].after == ()


def test_asking_whether_a_file_exists_runs_after_the_stage_writing_it():
    s = stages([("stage:a", "open('flag.txt', 'w').write('1')"),
                ("stage:b", "import os\nprint(os.path.exists('flag.txt'))"),
                ("stage:c", "from pathlib import Path\nprint(Path('flag.txt').is_file())")])
    assert [(f.path, f.producer) for f in s["b"].file_inputs] == [("flag.txt", "a")]
    assert [(f.path, f.producer) for f in s["c"].file_inputs] == [("flag.txt", "a")]


def test_asking_whether_a_file_no_stage_writes_exists_is_no_dependency():
    s = stages([("stage:a", "import os\nprint(os.path.exists('maybe.txt'))")])
    assert s["a"].data_deps == ()


def test_a_log_read_later_is_read_after_the_stages_that_append_to_it():
    s = stages([("stage:a", "import logging\nlogging.basicConfig(filename='run.log', "
                            "filemode='w', force=True)\nlogging.warning('one')"),
                ("stage:b", "logging.warning('two')"),
                ("stage:c", "print(open('run.log').read())")])
    assert "a" in s["b"].after and "b" in s["c"].after


# -- settings made through a variable ---------------------------------------------------------
def test_a_logger_level_set_through_a_variable_is_made_again():
    s = stages([("stage:a", "import logging\nlog = logging.getLogger('nb')\n"
                            "log.setLevel(logging.WARNING)"), ("stage:b", "x = 1")])
    assert s["b"].settings == ("import logging",
                               "logging.getLogger('nb').setLevel(logging.WARNING)")


def test_a_decimal_context_changed_through_a_variable_is_made_again():
    s = stages([("stage:a", "import decimal\nctx = decimal.getcontext()\nctx.prec = 5"),
                ("stage:b", "x = 1")])
    assert s["b"].settings == ("import decimal", "decimal.getcontext().prec = 5")


def test_an_attribute_set_on_a_value_made_by_a_library_is_no_setting():
    s = stages([("stage:a", "import pandas as pd\ndf = pd.DataFrame()\ndf.x = 3"),
                ("stage:b", "print(df.x)")])
    assert s["b"].settings == () and needs(s["b"]) == {"df": "a"}


# -- values whose pickling leaves state out -----------------------------------------------------
def test_an_instance_of_a_class_with_its_own_getstate_is_refused_in_a_later_stage():
    a = run([("stage:a", "class Cache:\n    def __init__(self):\n        self.data = {1: 2}\n"
                         "    def __getstate__(self):\n        return {}\ncache = Cache()"),
             ("stage:b", "print(cache.data)")])
    d = diagnostic(a, "cannot-cross")
    assert d.is_error and (d.cell, d.line) == (1, 1) and "__getstate__" in d.message


def test_an_instance_with_a_getstate_used_in_its_own_stage_is_fine():
    a = run([("stage:a", "class Cache:\n    def __getstate__(self):\n        return {}\n"
                         "cache = Cache()\nprint(cache)"), ("stage:b", "x = 1")])
    assert a.ok


# -- a seed in a skipped cell --------------------------------------------------------------------
def test_a_seed_in_a_skipped_cell_before_pipeline_cells_is_warned_about():
    a = run([("stage:a", "import random\nrandom.seed(0)"), ("skip", "random.seed(99)"),
             ("stage:b", "print(random.random())")])
    d = diagnostic(a, "skipped-cell-seeds")
    assert not d.is_error and (d.cell, d.line) == (1, 1)


def test_a_seed_in_a_skipped_last_cell_changes_nothing_the_pipeline_runs():
    a = run([("stage:a", "import random\nrandom.seed(0)"), ("skip", "random.seed(99)")])
    assert "skipped-cell-seeds" not in codes(a)


# -- the notebook's own modules ------------------------------------------------------------------
def own(cells, modules):
    a = analyze(build(cells), cache=CellCache(), local_modules=modules)
    assert a.ok, [d.render("t.ipynb") for d in a.errors]
    return {s.name: s for s in a.pipeline.stages}


def test_an_own_module_is_a_dependency_of_each_stage_importing_it():
    s = own([("stage:a", "import helpers\nx = helpers.f()"), ("stage:b", "print(x)")],
            {"helpers": "helpers.py"})
    assert s["a"].data_deps == s["b"].data_deps == ("helpers.py",)


def test_an_own_module_is_imported_again_in_later_stages_for_its_import_time_settings():
    s = own([("stage:a", "import setup_opts\nimport pandas as pd"),
             ("stage:b", "print(pd.get_option('display.precision'))")],
            {"setup_opts": "setup_opts.py"})
    assert s["b"].settings == ("import setup_opts",)


def test_an_own_modules_globals_cross_to_the_next_stage_using_it():
    s = own([("stage:a", "import state_mod\nstate_mod.register('a')"), ("stage:b", "y = 1"),
             ("stage:c", "print(state_mod.REGISTRY)")], {"state_mod": "state_mod.py"})
    assert needs(s["c"]) == {"@module:state_mod": "a"}
    assert "@module:state_mod" in s["a"].hands_on and needs(s["b"]) == {}


def test_a_function_imported_from_an_own_module_uses_its_state():
    s = own([("stage:a", "from reg import add\nadd(1)"), ("stage:b", "add(2)")],
            {"reg": "reg.py"})
    assert needs(s["b"]) == {"@module:reg": "a"}


def test_a_module_written_by_writefile_orders_its_importer_after_the_writer():
    s = stages([("stage:a", "%%writefile mymod.py\nK = 3"),
                ("stage:b", "import mymod\nprint(mymod.K)")])
    assert [(f.path, f.producer) for f in s["b"].file_inputs] == [("mymod.py", "a")]


def test_a_library_import_is_not_an_own_module():
    s = own([("stage:a", "import json\nd = json.loads('{}')"), ("stage:b", "print(d)")],
            {"helpers": "helpers.py"})
    assert s["a"].data_deps == () and s["b"].settings == () and needs(s["b"]) == {"d": "a"}
