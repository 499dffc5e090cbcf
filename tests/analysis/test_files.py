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


@pytest.mark.parametrize("path", ["https://example.com/x.csv", "/etc/x.csv", "../x.csv"],
                         ids=["url", "absolute", "outside"])
def test_urls_and_paths_outside_the_project_are_not_dependencies(path):
    s = stages([("stage:a", f"import pandas as pd\ndf = pd.read_csv('{path}')")])
    assert s["a"].data_deps == ()


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
