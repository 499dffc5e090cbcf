"""The scheduler with fake stages: -j, --keep-going, blocking after a failure, a stage that
cannot be prepared, and Ctrl-C / SIGTERM / a cancel from another thread while stages run."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from jupyter_pipeline.runner.schedule import (SUCCEEDED, Cancel, Cancelled, Hooks, failed,
                                              run_stages)
from jupyter_pipeline.runner import signals
from jupyter_pipeline.runner.signals import Terminated, terminate_as_interrupt


class Fake:
    """Steps that record when they ran; `fail` names stages that fail."""

    def __init__(self, fail: set[str] = frozenset(), seconds: float = 0.05) -> None:
        self.fail, self.seconds = fail, seconds
        self.started: list[str] = []
        self.finished: list[str] = []
        self.running = 0
        self.most = 0
        self._lock = threading.Lock()

    def step(self, name: str):  # noqa: ANN201
        with self._lock:
            self.started.append(name)
            self.running += 1
            self.most = max(self.most, self.running)
        time.sleep(self.seconds)
        with self._lock:
            self.running -= 1
        return failed(f"{name} broke", cell="c1", exception="ValueError", value="bad") \
            if name in self.fail else SUCCEEDED

    def hooks(self, **more) -> Hooks:  # noqa: ANN003
        return Hooks(step=self.step, finish=self.finished.append, **more)


DIAMOND = {"a": [], "b": ["a"], "c": ["a"], "d": ["b", "c"]}


def _states(out) -> dict[str, str]:  # noqa: ANN001
    return {e.stage: e.state for e in out.events if e.state != "running"}


def test_stages_start_after_their_upstream_finished_and_jobs_bound_the_parallelism():
    fake = Fake(seconds=0.2)
    out = run_stages(list(DIAMOND), DIAMOND, fake.hooks(), jobs=2)
    assert out.failed == [] and _states(out) == dict.fromkeys(DIAMOND, "done")
    assert fake.started[0] == "a" and fake.started[-1] == "d"
    assert fake.most == 2, "b and c run together"
    assert fake.finished.index("a") < min(fake.started.index("b"), fake.started.index("c"))
    one = Fake(seconds=0.05)
    run_stages(list(DIAMOND), DIAMOND, one.hooks(), jobs=1)
    assert one.most == 1


def test_after_a_failure_nothing_new_starts_and_the_rest_is_reported_not_started():
    fake = Fake(fail={"a"})
    out = run_stages(["a", "b", "side"], {"a": [], "b": ["a"], "side": []}, fake.hooks(), jobs=1)
    assert out.failed == ["a"]
    assert _states(out) == {"a": "failed", "b": "not started", "side": "not started"}
    failure = next(e for e in out.events if e.state == "failed").failure
    assert (failure.message, failure.cell, failure.exception, failure.value) == \
        ("a broke", "c1", "ValueError", "bad")
    assert fake.finished == [], "a failed stage is never recorded"


def test_keep_going_runs_independent_stages_and_blocks_the_dependents():
    fake = Fake(fail={"b"})
    stages = {"a": [], "b": ["a"], "c": ["b"], "side": ["a"]}
    out = run_stages(list(stages), stages, fake.hooks(), jobs=1, keep_going=True)
    assert _states(out) == {"a": "done", "b": "failed", "c": "not started", "side": "done"}
    blocked = next(e for e in out.events if e.stage == "c")
    assert blocked.detail == "an upstream stage failed"
    assert "c" not in fake.started


def test_a_stage_that_cannot_be_prepared_fails_without_running():
    fake = Fake()
    out = run_stages(["a", "b"], {"a": [], "b": ["a"]},
                     fake.hooks(prepare=lambda n: "its out leads outside" if n == "a" else None),
                     jobs=1)
    assert _states(out) == {"a": "failed", "b": "not started"}
    assert fake.started == []


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_or_sigterm_stops_running_stages_and_records_none_of_them(signum):
    stop = threading.Event()
    interrupted = threading.Event()
    started = threading.Event()

    def step(name: str):  # noqa: ANN202 - a stage that computes until it is stopped
        started.set()
        interrupted.wait(timeout=30)
        return failed("interrupted")

    finished: list[str] = []
    hooks = Hooks(step=step, finish=finished.append, interrupt=interrupted.set)
    threading.Thread(target=lambda: (started.wait(10), os.kill(os.getpid(), signum))).start()
    before = signal.getsignal(signal.SIGTERM)
    began = time.monotonic()
    expected = Terminated if signum == signal.SIGTERM else KeyboardInterrupt
    with pytest.raises(expected), terminate_as_interrupt():
        run_stages(["a", "b"], {"a": [], "b": []}, hooks, jobs=2, stop=stop)
    assert time.monotonic() - began < 10, "the running steps were not waited for"
    assert stop.is_set() and interrupted.is_set() and finished == []
    assert signal.getsignal(signal.SIGTERM) == before, "the previous handler is back"


def test_a_cancel_from_another_thread_stops_as_ctrl_c_does_and_keeps_finished_stages():
    """The panel's Cancel: the server's thread asks while the scheduler waits on a stage."""
    interrupted = threading.Event()
    computing = threading.Event()

    def step(name: str):  # noqa: ANN202 - a is quick, b computes until it is stopped
        if name == "a":
            return SUCCEEDED
        computing.set()
        interrupted.wait(timeout=30)
        return failed("interrupted")

    finished: list[str] = []
    cancel, stop = Cancel(), threading.Event()
    hooks = Hooks(step=step, finish=finished.append, interrupt=interrupted.set)
    threading.Thread(target=lambda: (computing.wait(10), cancel.request(),
                                     cancel.request())).start()  # asked twice: harmless
    began = time.monotonic()
    with pytest.raises(Cancelled):
        run_stages(["a", "b", "c"], {"a": [], "b": ["a"], "c": ["b"]}, hooks, jobs=1,
                   stop=stop, cancel=cancel)
    assert time.monotonic() - began < 10, "the running step was not stopped"
    assert stop.is_set() and interrupted.is_set()
    assert finished == ["a"], "the stage done before the cancel is recorded, no other"


def test_a_run_cancelled_before_it_starts_runs_nothing():
    fake = Fake()
    cancel = Cancel()
    cancel.request()
    with pytest.raises(Cancelled):
        run_stages(["a"], {"a": []}, fake.hooks(), jobs=1, cancel=cancel)
    assert fake.started == []


def test_a_signal_the_caller_ignores_stays_ignored():
    """`nohup nb2pipe run`: closing the terminal must not stop the run."""
    before = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        with terminate_as_interrupt():
            assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
            assert signal.getsignal(signal.SIGTERM) is signals._raise_terminated
    finally:
        signal.signal(signal.SIGHUP, before)
