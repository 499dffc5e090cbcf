"""A notebook whose JSON has the wrong shape somewhere: one clear message, never a traceback.

Every key of a small valid notebook gets each wrong type in turn; `nb2pipe convert --dry-run`
(which reads, analyses and plans every file) runs in-process to keep this fast."""

from __future__ import annotations

import copy
import json

import pytest

from jupyter_pipeline.cli import main
from tests.nbbuild import notebook

VALID = notebook([("parameters", "alpha = 1"), ("stage:load", "x = alpha + 1"),
                  (None, "# md: ## Train"), ("stage:train", "y = x * 2")])
VALID["metadata"]["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                   "language": "python"}
VALID["metadata"]["language_info"] = {"name": "python"}

# Keys whose type nb2pipe relies on: a wrong type must be refused, naming the key.
STRICT = {("nbformat",), ("nbformat_minor",), ("metadata",), ("cells",), ("cells", 1),
          ("cells", 1, "cell_type"), ("cells", 1, "source"), ("cells", 1, "metadata"),
          ("cells", 1, "metadata", "tags"), ("cells", 1, "id")}
WRONG = {"none": None, "list": [1], "str": "x", "int": 7, "dict": {"k": "v"}}


def _key_paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _key_paths(item, (*prefix, key))
    elif isinstance(value, list) and prefix[-1:] == ("cells",):
        yield from _key_paths(value[1], (*prefix, 1))


def _current(path):
    value = VALID
    for key in path:
        value = value[key]
    return value


def _kind(value):
    return next(t for t in (bool, int, str, list, dict, type(None)) if isinstance(value, t))


# A cell id may be absent (nbformat < 4.5), so None is a valid id.
CASES = [(path, name) for path in _key_paths(VALID) if path for name in WRONG
         if _kind(WRONG[name]) is not _kind(_current(path))
         and not (path[-1] == "id" and WRONG[name] is None)]


def _with(path, wrong):
    data = copy.deepcopy(VALID)
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = wrong
    return data


@pytest.mark.parametrize("path,wrong", CASES, ids=[f"{'.'.join(map(str, p))}={w}"
                                                   for p, w in CASES])
def test_a_wrongly_typed_value_gives_a_message_not_a_traceback(tmp_path, monkeypatch, capsys,
                                                              path, wrong):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "nb.ipynb").write_text(json.dumps(_with(path, WRONG[wrong])), encoding="utf-8")
    code = main(["convert", "nb.ipynb", "--dry-run"])  # any other exception fails the test
    err = capsys.readouterr().err
    assert code in (0, 1)
    if path in STRICT:
        assert code == 1, f"{path} = {WRONG[wrong]!r} was accepted"
        assert err.startswith("nb2pipe: 'nb.ipynb' "), err
        key = next(k for k in reversed(path) if isinstance(k, str)) if path != ("cells", 1) \
            else "cell 2"
        assert (f"'{key}'" in err or key in err), err
        assert "Fix that value" in err or "Pass an .ipynb" in err or "nbformat 4" in err, err
    elif code == 1:
        assert err.startswith("nb2pipe: "), err
    assert list(tmp_path.iterdir()) == [tmp_path / "nb.ipynb"], "a dry run writes nothing"


def test_nbformat_as_a_string_names_the_value_not_a_version():
    from jupyter_pipeline.errors import NotebookReadError
    from jupyter_pipeline.model.notebook import Notebook

    with pytest.raises(NotebookReadError) as info:
        Notebook.from_dict("nb.ipynb", {**VALID, "nbformat": "4"})
    assert str(info.value) == ("'nb.ipynb' has 'nbformat': '4' (a str) where Jupyter writes the "
                               "number 4. Fix that value in the .ipynb file (it is JSON text), or "
                               "restore the notebook from version control.")
