"""Fuzz the server API through a real jupyter_server: generated requests (odd paths, options and
bodies, the fuzzer's notebooks as unsaved content or saved files to export) never get a 500, and
every error answer is JSON with a message."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .check import examples
from .notebooks import JSON_VALUES, NOTEBOOKS, WEIRD_TEXT

REQUEST_PATHS = st.one_of(
    st.sampled_from(["nb.ipynb", "sub/nb.ipynb", "../x.ipynb", "/etc/x.ipynb", "x.csv", "",
                     " ", "a" * 300 + ".ipynb", "a/" * 2000 + "x.ipynb", "x\ud800.ipynb",
                     "nb.ipynb\x00", "C:\\x.ipynb", "pipelines/nb/a.ipynb", ".", "..",
                     "link/x.ipynb", "~/x.ipynb", "%2e%2e/x.ipynb"]),
    WEIRD_TEXT.map(lambda t: t + ".ipynb"), JSON_VALUES)
OPTIONS = st.one_of(st.fixed_dictionaries({}, optional={
    "force": st.one_of(st.booleans(), JSON_VALUES),
    "by_headings": st.one_of(st.none(), st.integers(-1, 8), JSON_VALUES)}), JSON_VALUES)


@st.composite
def request(draw) -> tuple[str, bytes]:
    kind = draw(st.sampled_from(["analyze-content", "analyze-content", "analyze-path",
                                 "export", "export", "run", "raw"]))
    body: dict = {"path": draw(REQUEST_PATHS)}
    if kind == "analyze-content":
        body["notebook"] = draw(NOTEBOOKS)
        if draw(st.booleans()):
            body["path"] = "live.ipynb"
        if draw(st.integers(0, 5)) == 0:
            body["by_headings"] = draw(st.one_of(st.integers(-1, 8), JSON_VALUES))
        route = "analyze"
    elif kind in ("analyze-path", "export"):
        body["path"] = draw(st.sampled_from(["saved.ipynb", "sub/saved.ipynb"])) \
            if draw(st.booleans()) else body["path"]
        body["options"] = draw(OPTIONS)
        route = "analyze" if kind == "analyze-path" else "export"
    elif kind == "run":
        route = "run"
        body["options"] = draw(OPTIONS)
    else:
        route = draw(st.sampled_from(["analyze", "export", "run"]))
        text = json.dumps(body)
        cut = draw(st.integers(0, len(text)))
        raw = (text[:cut] + draw(st.text(max_size=5)) + text[cut:]).encode("utf-8",
                                                                           "surrogatepass")
        return route, raw
    try:
        return route, json.dumps(body).encode("utf-8")
    except (ValueError, RecursionError):
        return route, b"{}"


def _draw(count: int) -> list:
    """Hypothesis draws the requests; the async test then sends them (hypothesis does not drive
    coroutine tests itself, so a failing request is reported as drawn, not shrunk). Each run
    draws new requests: no example database, no derandomisation."""
    drawn: list = []

    @settings(max_examples=count, deadline=None, database=None,
              suppress_health_check=list(HealthCheck), phases=["generate"])
    @given(request(), NOTEBOOKS)
    def collect(req, saved):
        drawn.append((req, saved))

    collect()
    return drawn


async def test_the_server_answers_every_request_without_a_500(call, jp_root_dir):
    (jp_root_dir / "sub").mkdir()
    failures = []
    requests = _draw(examples(100) // 3)
    for (route, raw), saved in requests:
        for name in ("saved.ipynb", "sub/saved.ipynb"):
            try:
                (jp_root_dir / name).write_text(json.dumps(saved), encoding="utf-8")
            except (UnicodeEncodeError, ValueError, RecursionError):
                (jp_root_dir / name).write_text("{}", encoding="utf-8")
        if route == "run":  # a run of a real pipeline would start kernels: only its checks
            (jp_root_dir / "dvc.yaml").unlink(missing_ok=True)
            (jp_root_dir / "sub" / "dvc.yaml").unlink(missing_ok=True)
        status, reply = await call(route, raw=raw)
        if status >= 500 or (status >= 400 and not (isinstance(reply, dict)
                                                     and reply.get("message"))):
            failures.append((route, raw[:300], status, reply))
    assert not failures, f"{len(failures)} of {len(requests)} requests: {failures[:5]}"
    print(f"\n{len(requests)} requests to the server, 0 answered 500")
