"""Ordering and skipping decisions on tiny graphs: pure, nothing runs."""

from __future__ import annotations

import pytest

from jupyter_pipeline.runner.plan import decide, dependencies
from jupyter_pipeline.runner.spec import Out, PipelineError, StageSpec, parse_stages


def spec(name, deps=(), outs=(), **kw):
    return StageSpec(name, (f"run {name}",), ".", tuple(deps), tuple(Out(o) for o in outs), (),
                     **kw)


DIAMOND = [spec("load", outs=["a"]), spec("left", deps=["a"], outs=["l"]),
           spec("right", deps=["a"], outs=["r"]), spec("join", deps=["l", "r"], outs=["j"])]


def test_edges_follow_deps_to_the_stage_that_writes_them():
    assert dependencies(DIAMOND) == {"load": [], "left": ["load"], "right": ["load"],
                                     "join": ["left", "right"]}


def test_a_dep_inside_an_output_folder_is_an_edge():
    specs = [spec("a", outs=["data/a"]), spec("b", deps=["data/a/x.parquet"])]
    assert dependencies(specs)["b"] == ["a"]


def test_nothing_changed_nothing_runs():
    d = decide(DIAMOND, dependencies(DIAMOND), lambda s: None)
    assert [x.run for x in d] == [False] * 4


def test_a_change_runs_the_stage_and_everything_downstream_only():
    d = decide(DIAMOND, dependencies(DIAMOND), lambda s: "changed" if s.name == "left" else None)
    assert {x.stage: x.run for x in d} == {"load": False, "left": True, "right": False,
                                            "join": True}
    assert next(x for x in d if x.stage == "join").reason == "upstream stage 'left' runs"


def test_targets_run_with_what_they_need_and_downstream_on_request():
    edges = dependencies(DIAMOND)
    d = decide(DIAMOND, edges, lambda s: "x", targets={"left"})
    assert [x.stage for x in d] == ["load", "left"]
    d = decide(DIAMOND, edges, lambda s: None, targets={"left"}, force=True, downstream=True)
    assert [(x.stage, x.run) for x in d] == [("left", True), ("join", True)]


def test_frozen_and_always_changed():
    specs = [spec("a", outs=["a"], frozen=True), spec("b", deps=["a"], always_changed=True)]
    d = decide(specs, dependencies(specs), lambda s: "changed")
    assert [(x.stage, x.run, x.reason) for x in d] == [("a", False, "frozen"),
                                                       ("b", True, "always_changed")]


@pytest.mark.parametrize("yaml_stages,message", [
    ({"a": {"cmd": "x", "bogus": 1}}, "extra keys not allowed"),
    ({"a": {"cmd": "x", "outs": ["o"]}, "b": {"cmd": "y", "outs": ["o"]}},
     "output of both 'a' and 'b'"),
    ({"a": {"cmd": "x", "deps": ["o"], "outs": ["o"]}}, "both a dependency and an output"),
    ({"a": {"cmd": "x", "deps": ["b"], "outs": ["a"]}, "b": {"cmd": "y", "deps": ["a"],
                                                              "outs": ["b"]}}, "cycle"),
    ({"a": {"cmd": "x", "outs": ["d"]}, "b": {"cmd": "y", "outs": ["d/e"]}}, "overlap"),
    ({"a": {"deps": ["x"]}}, "has no 'cmd'"),
])
def test_what_dvc_would_reject_is_refused_with_a_reason(yaml_stages, message):
    with pytest.raises(PipelineError, match=message):
        dependencies(parse_stages({"stages": yaml_stages}))


def test_every_params_form_dvc_accepts():
    (s,) = parse_stages({"stages": {"a": {"cmd": ["x", "y"], "params": [
        "alpha", "model.depth", {"other.yaml": ["k"]}, {"all.yaml": None}],
        "outs": [{"m.json": {"cache": False}}], "metrics": ["met.json"], "plots": ["p.png"]}}})
    assert s.params == (("params.yaml", ("alpha", "model.depth")), ("other.yaml", ("k",)),
                        ("all.yaml", None))
    assert s.cmd == ("x", "y") and s.cmd_is_list
    assert [(o.path, o.cache) for o in s.outs] == [("m.json", False), ("met.json", True),
                                                   ("p.png", True)]


def test_the_stage_command_reads_back_what_export_writes_also_with_spaces_and_options():
    from jupyter_pipeline.model.stage_command import StageCommand

    for command in (StageCommand("pipelines/nb/a.ipynb", "pipelines/nb/executed/a.ipynb"),
                    StageCommand("my out/p/a.ipynb", "my out/p/executed/a.ipynb",
                                 "my out/params.yaml", "python 3 (env)")):
        assert StageCommand.parse(command.render()) == command
    assert StageCommand("a.ipynb", "b.ipynb").render() == "nb2pipe exec-stage a.ipynb b.ipynb"
    for other in ("nb2pipe exec-stage a.ipynb", "python run.py a b",
                  "nb2pipe exec-stage a b --params p --params q", "nb2pipe exec-stage a b 'x",
                  "nb2pipe exec-stage a b --verbose"):
        assert StageCommand.parse(other) is None, other
