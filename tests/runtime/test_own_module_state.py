"""The data of the notebook's own module crosses stages (analysis/own_modules.py): what its
globals hold is saved, and put back in the next stage's fresh import, lists, dicts and sets
refilled in place so that names imported from the module still share them."""

from __future__ import annotations

import importlib
import sys

import pytest

from jupyter_pipeline.runtime import handoff


@pytest.fixture
def own_module(tmp_path, monkeypatch):
    (tmp_path / "reg_mod.py").write_text(
        "import threading\nREGISTRY = []\nCOUNTS = {}\nLIMIT = 1\nLOCK = threading.Lock()\n"
        "def register(x):\n    REGISTRY.append(x)\n    COUNTS[x] = COUNTS.get(x, 0) + 1\n",
        encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("reg_mod", None)
    yield lambda: importlib.import_module("reg_mod")
    sys.modules.pop("reg_mod", None)


def test_the_module_data_is_saved_without_its_code_or_its_lock(own_module):
    mod = own_module()
    mod.register("a")
    mod.LIMIT = 5
    assert handoff.module_state("@module:reg_mod") == {
        "REGISTRY": ["a"], "COUNTS": {"a": 1}, "LIMIT": 5}


def test_the_data_is_put_back_in_place_in_a_fresh_import(own_module):
    state = {"REGISTRY": ["a"], "COUNTS": {"a": 1}, "LIMIT": 5}
    mod = own_module()
    imported_list = mod.REGISTRY  # `from reg_mod import REGISTRY` in the stage
    handoff.set_module_state("@module:reg_mod", state)
    assert mod.REGISTRY is imported_list and imported_list == ["a"]
    assert mod.COUNTS == {"a": 1} and mod.LIMIT == 5
    mod.register("b")
    assert mod.REGISTRY == ["a", "b"]
