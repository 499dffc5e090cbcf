"""Calls that copy, move or make files and folders, and calls nb2pipe knows nothing about given a
file's name: the stages using one file run in the notebook's order, and nothing DVC would demand
(an out that may not be written, a dep that may not exist yet) is declared. One behaviour per
test."""

from __future__ import annotations

import pytest

from .helpers import run, stages

WRITE_SRC = "open('src.txt', 'w').write('S')"


@pytest.mark.parametrize("copy", [
    "import shutil\nshutil.copy('src.txt', 'dst.txt')",
    "import shutil\nshutil.copyfile(src='src.txt', dst='dst.txt')",
    "import shutil\nshutil.copy2('src.txt', 'dst.txt')",
], ids=["copy", "copyfile-keywords", "copy2"])
def test_a_copy_reads_its_source_and_writes_its_target(copy):
    s = stages([("stage:a", WRITE_SRC), ("stage:b", copy),
                ("stage:c", "print(open('dst.txt').read())")])
    assert [(f.path, f.producer) for f in s["b"].file_inputs] == [("src.txt", "a")]
    assert s["b"].outs == ("dst.txt",)
    assert [(f.path, f.producer) for f in s["c"].file_inputs] == [("dst.txt", "b")]


@pytest.mark.parametrize("move", [
    "import os\nos.rename('tmp.txt', 'final.txt')",
    "import shutil\nshutil.move('tmp.txt', 'final.txt')",
    "from pathlib import Path\nPath('tmp.txt').rename('final.txt')",
], ids=["os-rename", "shutil-move", "path-rename"])
def test_a_file_moved_by_its_writer_is_an_out_under_its_new_name(move):
    s = stages([("stage:a", "open('tmp.txt', 'w').write('T')\n" + move),
                ("stage:b", "print(open('final.txt').read())")])
    assert s["a"].outs == ("final.txt",)
    assert [(f.path, f.producer) for f in s["b"].file_inputs] == [("final.txt", "a")]


def test_moving_a_file_another_stage_writes_is_refused():
    a = run([("stage:a", "open('tmp.txt', 'w').write('T')"),
             ("stage:b", "import os\nos.rename('tmp.txt', 'final.txt')")])
    assert [d.code for d in a.errors] == ["file-deleted-by-another-stage"]


@pytest.mark.parametrize("make", [
    "import os\nos.makedirs('outputs', exist_ok=True)",
    "import os\nos.mkdir('outputs')",
    "from pathlib import Path\nPath('outputs').mkdir(exist_ok=True)",
    "from pathlib import Path\nout = Path('outputs')\nout.mkdir(parents=True)",
], ids=["makedirs", "mkdir", "path-mkdir", "path-variable-mkdir"])
def test_a_stage_writing_into_a_folder_runs_after_the_stage_that_made_it(make):
    s = stages([("stage:a", make), ("stage:b", "open('outputs/a.txt', 'w').write('A')")])
    assert s["b"].after == ("a",)
    assert s["a"].outs == (), "a folder made is no out: DVC would own all of it"


@pytest.mark.parametrize("writer, reader", [
    ("import zipfile\nwith zipfile.ZipFile('z.zip', 'w') as z:\n    z.writestr('a', 'b')",
     "import zipfile\nprint(zipfile.ZipFile('z.zip').namelist())"),
    ("import sqlite3\ncon = sqlite3.connect('db.sqlite')", "import pandas as pd\n"
     "import sqlite3\nprint(pd.read_sql('select 1', sqlite3.connect('db.sqlite')))"),
    ("import h5py\nh5py.File('d.h5', 'w').close()", "import h5py\nprint(h5py.File('d.h5').keys())"),
], ids=["zipfile", "sqlite", "h5py"])
def test_a_file_name_given_to_an_unknown_call_orders_the_stages_using_it(writer, reader):
    s = stages([("stage:a", writer), ("stage:b", reader)])
    assert s["b"].after == ("a",)
    assert s["a"].outs == () and s["b"].data_deps == (), \
        "it may not be written, and may not exist before stage a"


def test_raw_data_read_before_an_unknown_call_touches_it_stays_a_dependency():
    s = stages([("stage:a", "import pandas as pd\ndf = pd.read_csv('raw.csv')"),
                ("stage:b", "import zipfile\nzipfile.is_zipfile('raw.csv')"),
                ("stage:c", "import pandas as pd\nagain = pd.read_csv('raw.csv')")])
    assert s["c"].data_deps == ("raw.csv",) and s["c"].after == ("b",)


@pytest.mark.parametrize("text", [
    "print('saved to out.csv')", "import logging\nlogging.info('wrote model.pkl')",
    "name = 'a.csv'.replace('.csv', '.txt')", "df = {'x.y': 1}\nprint(len('x.y'))",
], ids=["print", "logging", "str-method", "builtin"])
def test_a_file_name_shown_or_edited_as_text_orders_nothing(text):
    s = stages([("stage:a", text), ("stage:b", text.replace("'", '"'))])
    assert s["b"].after == ()


@pytest.mark.parametrize("writer, written", [
    ("import numpy as np\nnp.save('arr', np.arange(3))", "arr.npy"),
    ("import numpy as np\nnp.save('arr.npy', np.arange(3))", "arr.npy"),
    ("import numpy as np\nnp.savez('bundle', a=np.arange(2))", "bundle.npz"),
    ("import numpy as np\nnp.savez_compressed('bundle.npz', a=1)", "bundle.npz"),
    ("import matplotlib.pyplot as plt\nplt.savefig('figure')", "figure.png"),
    ("import matplotlib.pyplot as plt\nplt.savefig('figure.svg')", "figure.svg"),
    ("import matplotlib.pyplot as plt\nplt.savefig('figure', format='pdf')", "figure"),
], ids=["np-save", "np-save-with-npy", "savez", "savez-with-npz", "savefig", "savefig-svg",
        "savefig-format"])
def test_the_out_is_the_file_the_library_really_writes(writer, written):
    s = stages([("stage:a", writer)])
    assert s["a"].outs == (written,)


@pytest.mark.parametrize("path", ["Path('po.txt')", "po"], ids=["path-call", "path-variable"])
def test_a_path_opened_for_writing_by_its_own_open_is_an_out(path):
    bind = "from pathlib import Path\npo = Path('po.txt')\n"
    s = stages([("stage:a", bind + f"with {path}.open('w') as f:\n    f.write('P')"),
                ("stage:b", f"print({path}.open().read())")])
    assert s["a"].outs == ("po.txt",)
    assert [(f.path, f.producer) for f in s["b"].file_inputs] == [("po.txt", "a")]


def test_the_mode_given_to_an_unknown_paths_open_is_no_file():
    s = stages([("stage:a", "p = make_path()\nwith p.open('w') as f:\n    f.write('P')")])
    assert s["a"].data_deps == () and s["a"].outs == ()


@pytest.mark.parametrize("listing", ["os.listdir('figs')", "list(Path('figs').iterdir())",
                                     "list(os.walk('figs'))", "os.listdir()"],
                         ids=["listdir", "iterdir", "walk", "listdir-here"])
def test_listing_a_folder_holding_outputs_warns_that_it_sees_the_pipelines_files(listing):
    a = run([("stage:a", "open('figs/a.png', 'wb').write(b'x')"),
             ("stage:b", f"import os\nfrom pathlib import Path\nprint({listing})")])
    found = [d for d in a.diagnostics if d.code == "listing-sees-pipeline-files"]
    assert found and not found[0].is_error and found[0].cell == 1, a.diagnostics
    assert ".gitignore" in found[0].message or "dvc.yaml" in found[0].message


@pytest.mark.parametrize("listing", ["glob.glob('figs/*')", "os.listdir('raw')"],
                         ids=["glob-skips-hidden-files", "folder-without-outputs"])
def test_a_listing_that_cannot_see_the_pipelines_files_is_not_warned_about(listing):
    a = run([("stage:a", "open('figs/a.png', 'wb').write(b'x')"),
             ("stage:b", f"import os, glob\nprint({listing})")])
    assert "listing-sees-pipeline-files" not in [d.code for d in a.diagnostics]


def test_a_stage_that_moves_into_a_folder_again_runs_after_the_stage_that_moved_there():
    s = stages([("stage:a", "import os\nos.makedirs('sub', exist_ok=True)\nos.chdir('sub')"),
                ("stage:b", "import numpy as np\nnp.seterr(divide='raise')"), ("stage:c", "x = 1")])
    assert "import os" in s["c"].settings and "os.chdir('sub')" in s["c"].settings
    assert s["b"].after == ("a",) and "a" in s["c"].after, "'sub' is made in stage a"
