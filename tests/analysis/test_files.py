"""Files read and written by literal path: DVC outs, deps and edges that carry no variable."""

from __future__ import annotations

import pytest

from .helpers import diagnostic, needs, run, stages

WRITERS = {
    "to_csv": "df.to_csv('out/t.csv')",
    "to_parquet": "df.to_parquet(path='out/t.csv')",
    "np.save": "np.save('out/t.csv.npy', x)",
    "savefig": "plt.savefig('out/t.csv')",
    "open-w": "open('out/t.csv', 'w').write('x')",
    "open-mode-keyword": "open('out/t.csv', mode='a').write('x')",
    "with-open-json-dump": "with open('out/t.csv', 'w') as fh:\n    json.dump({}, fh)",
    "json-dump-to-open": "json.dump({}, open('out/t.csv', 'w'))",
    "pickle-dump-wb": "pickle.dump(x, open('out/t.csv', 'wb'))",
    "joblib.dump": "joblib.dump(x, 'out/t.csv')",
    "path-write-text": "Path('out/t.csv').write_text('x')",
    "writefile-magic": "%%writefile out/t.csv\nx",
}


@pytest.mark.parametrize("source", WRITERS.values(), ids=WRITERS.keys())
def test_a_file_written_by_literal_path_is_an_out(source):
    s = stages([("stage:a", "x = 1"), ("stage:b", source)])
    assert s["b"].outs == ("out/t.csv.npy" if "np.save" in source else "out/t.csv",)


READERS = {
    "read_csv": "pd.read_csv('raw/in.csv')",
    "read_parquet-keyword": "pd.read_parquet(path='raw/in.csv')",
    "np.load": "np.load('raw/in.csv')",
    "open": "open('raw/in.csv').read()",
    "open-r": "open('raw/in.csv', 'r').read()",
    "with-open-json-load": "with open('raw/in.csv') as fh:\n    v = json.load(fh)",
    "joblib.load": "joblib.load('raw/in.csv')",
    "path-read-text": "Path('raw/in.csv').read_text()",
    "loadtxt": "np.loadtxt('raw/in.csv')",
}


@pytest.mark.parametrize("source", READERS.values(), ids=READERS.keys())
def test_a_file_read_that_no_stage_writes_is_a_data_dependency(source):
    s = stages([("stage:a", source)])
    assert s["a"].data_deps == ("raw/in.csv",)
    assert s["a"].file_inputs == ()


def test_a_file_written_then_read_is_an_edge_without_a_variable():
    s = stages([("stage:a", "import pandas as pd\npd.DataFrame().to_csv('out/t.csv')"),
                ("stage:b", "t = pd.read_csv('out/t.csv')\nraw = open('raw.txt').read()")])
    assert s["a"].outs == ("out/t.csv",) and s["a"].hands_on == ()
    assert [(f.path, f.producer) for f in s["b"].file_inputs] == [("out/t.csv", "a")]
    assert s["b"].data_deps == ("raw.txt",)
    assert needs(s["b"]) == {} and s["b"].upstream == ("a",)


def test_a_file_a_stage_writes_and_reads_itself_is_no_edge():
    s = stages([("stage:a", "import numpy as np\nnp.save('a.npy', [1])\nv = np.load('a.npy')")])
    assert s["a"].outs == ("a.npy",) and s["a"].file_inputs == () and s["a"].data_deps == ()


def test_a_file_a_stage_reads_then_rewrites_is_only_its_output():
    s = stages([("stage:a", "import os, json\nif os.path.exists('cache.json'):\n"
                            "    c = json.load(open('cache.json'))\n"
                            "json.dump({}, open('cache.json', 'w'))")])
    assert s["a"].outs == ("cache.json",) and s["a"].data_deps == ()


PATHS = {
    "plus": "pd.read_csv(path + 'train.csv')",
    "f-string": "pd.read_csv(f'{path}train.csv')",
    "os.path.join": "pd.read_csv(os.path.join(path, 'train.csv'))",
    "pathlib-divide": "pd.read_csv(Path(path) / 'train.csv')",
}


@pytest.mark.parametrize("read", PATHS.values(), ids=PATHS.keys())
def test_a_path_built_from_a_string_constant_variable(read):
    s = stages([("stage:a", "import os\nfrom pathlib import Path\nimport pandas as pd\n"
                            "path = 'data/'"),
                ("stage:b", f"df = {read}")])
    assert s["b"].data_deps == ("data/train.csv",)


def test_a_string_parameter_can_build_a_path():
    s = stages([("parameters", "folder = 'data'"), ("stage:a", "import pandas as pd"),
                ("stage:b", "df = pd.read_csv(folder + '/x.csv')")])
    assert s["b"].data_deps == ("data/x.csv",)


@pytest.mark.parametrize("path", ["https://example.com/x.csv", "/etc/x.csv"],
                         ids=["url", "absolute"])
def test_urls_and_absolute_paths_are_not_dependencies(path):
    s = stages([("stage:a", f"import pandas as pd\ndf = pd.read_csv('{path}')")])
    assert s["a"].data_deps == ()


def test_a_file_read_above_the_notebooks_folder_is_a_dependency():
    """notebooks/ beside data/: a changed '../data/x.csv' must re-run the stage reading it."""
    s = stages([("stage:a", "import pandas as pd\ndf = pd.read_csv('../data/x.csv')")])
    assert s["a"].data_deps == ("../data/x.csv",)


def test_a_file_written_above_the_notebooks_folder_orders_its_reader_but_is_no_out():
    """It may lie outside the repository, where DVC keeps no outputs."""
    s = stages([("stage:a", "import pandas as pd\npd.DataFrame().to_csv('../made.csv')"),
                ("stage:b", "import pandas as pd\ndf = pd.read_csv('../made.csv')")])
    assert s["a"].outs == () and s["b"].data_deps == ()
    assert s["b"].after == ("a",)


def test_a_path_from_a_non_constant_is_not_guessed():
    s = stages([("stage:a", "import pandas as pd\nname = input()\ndf = pd.read_csv(name)")])
    assert s["a"].data_deps == ()


def test_two_stages_writing_one_file_is_an_error():
    a = run([("stage:a", "open('x.txt', 'w').write('1')"),
             ("stage:b", "open('x.txt', 'w').write('2')")])
    d = diagnostic(a, "file-written-twice")
    assert d.is_error and d.cell == 1


def test_reading_a_file_a_later_stage_writes_is_an_error():
    a = run([("stage:a", "v = open('x.txt').read()"), ("stage:b", "open('x.txt', 'w').write('2')")])
    d = diagnostic(a, "file-read-before-write")
    assert d.is_error and d.cell == 0


def test_images_written_become_dvc_plots():
    from jupyter_pipeline.export.dvc_yaml import stage_entry
    from jupyter_pipeline.export.layout import Layout

    a = run([("stage:a", "import matplotlib.pyplot as plt\nplt.savefig('plots/h.png')")])
    entry = stage_entry(a.notebook, a.pipeline, a.pipeline.stages[0], Layout("t.ipynb"))
    assert entry["plots"] == ["plots/h.png"] and "plots/h.png" not in entry["outs"]


def test_a_file_a_function_writes_is_written_where_the_function_is_called():
    s = stages([("stage:a", "import pandas as pd\ndf = pd.DataFrame()\ndef save():\n"
                            "    df.to_csv('out.csv')"),
                ("stage:b", "save()"), ("stage:c", "print(pd.read_csv('out.csv'))")])
    assert s["a"].outs == () and s["b"].outs == ("out.csv",)
    assert [(f.path, f.producer) for f in s["c"].file_inputs] == [("out.csv", "b")]


def test_a_path_a_function_is_given_is_the_argument_not_a_global_of_that_name():
    s = stages([("stage:a", "name = 'x.csv'\ndef save(df, name):\n    df.to_csv(name)"),
                ("stage:b", "import pandas as pd\nsave(pd.DataFrame(), 'y.csv')")])
    assert s["b"].outs == ("y.csv",)


def test_a_helper_writing_to_the_path_it_is_given_declares_that_file():
    s = stages([("stage:a", "def save_fig(name):\n    with open(f'{name}.txt', 'w') as f:\n"
                            "        f.write(name)"),
                ("stage:b", "save_fig('fig1')"), ("stage:c", "print(open('fig1.txt').read())")])
    assert s["b"].outs == ("fig1.txt",)
    assert [(f.path, f.producer) for f in s["c"].file_inputs] == [("fig1.txt", "b")]


def test_a_helper_given_a_path_it_cannot_resolve_declares_nothing():
    s = stages([("stage:a", "def save_fig(name):\n    open(f'{name}.txt', 'w').write('x')"),
                ("stage:b", "import sys\nsave_fig(sys.argv[0])")])
    assert s["b"].outs == ()


def test_files_read_at_paths_known_only_by_their_folder_make_the_folder_a_dependency():
    """`pd.read_csv(f"data/{s}.csv")` in a loop: which files only the run knows, so the folder
    is the dependency (a changed input re-runs the stage; no dependency at all kept the old
    results "up to date")."""
    s = stages([("stage:a", "import pandas as pd\nframes = {}\nfor s in ['x', 'y']:\n"
                            "    frames[s] = pd.read_csv(f'../data/{s}.csv')")])
    assert s["a"].data_deps == ("../data",)


def test_a_read_inside_a_comprehension_counts_and_its_own_names_are_not_the_notebooks():
    s = stages([("stage:a", "import pandas as pd\nname = 'stale'"),
                ("stage:b", "frames = [pd.read_csv(f'data/{name}.csv') for name in ['x', 'y']]")])
    assert s["b"].data_deps == ("data",), "not data/stale.csv: that 'name' is another variable"


def test_a_folder_an_earlier_stage_writes_into_orders_the_reader_and_is_no_dependency():
    s = stages([("stage:a", "import pandas as pd\npd.DataFrame().to_csv('data/made.csv')"),
                ("stage:b", "import pandas as pd\nn = input()\ndf = pd.read_csv(f'data/{n}.csv')")])
    assert s["b"].data_deps == () and s["b"].after == ("a",)


def test_a_folder_a_later_stage_writes_into_is_no_dependency():
    """DVC would find that stage's output inside the reader's dependency."""
    s = stages([("stage:a", "import pandas as pd\nn = input()\ndf = pd.read_csv(f'data/{n}.csv')"),
                ("stage:b", "df.to_csv('data/out.csv')")])
    assert s["a"].data_deps == () and s["b"].outs == ("data/out.csv",)


@pytest.mark.parametrize("path", ["'data/{}.csv'.format(n)", "'data/%s.csv' % n",
                                  "f'data/{n:03d}.csv'", "f\"data/{row['id']}.csv\""],
                         ids=["format", "percent", "format-spec", "expression"])
def test_a_path_templated_by_format_or_percent_is_known_by_its_folder(path):
    s = stages([("stage:a", f"import pandas as pd\nn = input()\nrow = {{}}\ndf = pd.read_csv({path})")])
    assert s["a"].data_deps == ("data",)


def test_a_file_read_in_a_folder_an_earlier_stage_writes_into_by_unknown_names_orders_it():
    """`to_csv(f"output/{n}.csv")` in a loop, then `read_csv("output/x.csv")`: not raw data
    (a dependency on a file no stage declares, missing before the writer runs) but the
    writer's file, so the reader runs after it."""
    s = stages([("stage:a", "import pandas as pd\nfor n in ['x', 'y']:\n"
                            "    pd.DataFrame({'v': [1]}).to_csv(f'output/{n}.csv')"),
                ("stage:b", "import pandas as pd\nprint(pd.read_csv('output/x.csv'))")])
    assert s["b"].data_deps == () and s["b"].after == ("a",)


def test_a_read_at_a_path_known_only_at_run_time_runs_after_every_earlier_file_writer():
    a = run([("stage:a", "import pandas as pd\npd.DataFrame({'a': [1]}).to_csv('data.csv')"),
             ("stage:b", "x = 1"),
             ("stage:c", "import os\nname = os.environ.get('X', 'data') + '.csv'\n"
                         "df = pd.read_csv(name)")])
    c = a.pipeline.stages[2]
    assert c.after == ("a",) and c.data_deps == () and c.file_inputs == ()
    found = [d for d in a.diagnostics if d.code == "file-path-unknown"]
    assert [(d.cell, d.line) for d in found] == [(2, 3)] and not found[0].is_error


def test_an_input_read_after_a_stage_writing_files_at_unknown_names_is_a_warning():
    a = run([("stage:a", "import os\nimport pandas as pd\n"
                         "name = os.environ.get('X', 'data') + '.csv'\n"
                         "pd.DataFrame({'a': [1]}).to_csv(name)"),
             ("stage:b", "df = pd.read_csv('data.csv')")])
    b = a.pipeline.stages[1]
    assert b.data_deps == ("data.csv",) and b.after == ("a",)  # an input, read after a
    found = [d for d in a.diagnostics if d.code == "file-path-unknown"]
    assert len(found) == 1 and found[0].cell == 1 and "stage 'a'" in found[0].message
