"""The environment nb2pipe starts kernels with: one hash seed for every stage, so a set of strings
iterates alike and `hash("a")` is the same in the stage that saved a value and the one that
loads it, as within the one process of the notebook (the end-to-end check is the adversarial
construct "hash-consistency", run with nb2pipe run and dvc repro)."""

from __future__ import annotations

from jupyter_pipeline.runner.zygote import kernel_environment


def test_kernels_get_one_fixed_hash_seed(monkeypatch):
    monkeypatch.delenv("PYTHONHASHSEED", raising=False)
    monkeypatch.setenv("NB2PIPE_EXAMPLE", "kept")
    env = kernel_environment()
    assert env["PYTHONHASHSEED"] == "0" and env["NB2PIPE_EXAMPLE"] == "kept"


def test_a_hash_seed_the_user_set_is_kept(monkeypatch):
    monkeypatch.setenv("PYTHONHASHSEED", "123")
    assert kernel_environment()["PYTHONHASHSEED"] == "123"
