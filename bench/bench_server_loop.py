"""Benchmark: does a big unsaved notebook block the rest of JupyterLab's server?

    .venv/bin/python bench/bench_server_loop.py [--mb 12] [--polls 40]

A real `jupyter server` with nb2pipe's extension serves a scratch folder. The bench sends the
panel's live-analysis request (`POST /nb2pipe/analyze` with the notebook's content) for a
synthetic notebook of about --mb megabytes (the synthetic sections of bench/synthetic.py plus
one 300 000-line cell, the kind that holds the GIL in `ast.parse`), and meanwhile polls
`GET /api/status` (what any other request of that JupyterLab waits behind: saves, kernel
messages) every 50 ms. It prints the status latency before (idle) and during the analysis, and
their ratio. With the work on the event loop the ratio is the analysis time over a few ms.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from synthetic import synthetic_notebook  # noqa: E402


def big_notebook(megabytes: float) -> dict:
    """The synthetic notebook of 500 code cells, one cell of 300 000 lines, and copies of the
    synthetic cells up to `megabytes`. The copies repeat stage names, so the answer is a list of
    diagnostics ('stage load_0 starts again here'): every cell is still parsed and analysed,
    which is the cost that matters here; the fold stops at those errors."""
    nb = synthetic_notebook(500)
    huge = nbformat.v4.new_code_cell("\n".join(f"w{i} = {i} * 2" for i in range(300_000)))
    nb.cells.insert(2, huge)
    data = json.loads(nbformat.writes(nb))
    filler = data["cells"][3:]
    while len(json.dumps(data)) < megabytes * 2**20:
        data["cells"].extend(json.loads(json.dumps(filler)))
    for i, cell in enumerate(data["cells"]):
        cell["id"] = f"c{i}"
    return data


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _request(url: str, token: str, body: bytes | None = None, timeout: float = 600) -> bytes:
    req = urllib.request.Request(url, data=body, method="POST" if body is not None else "GET",
                                 headers={"Authorization": f"token {token}",
                                          "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as answer:
            return answer.read()
    except urllib.error.HTTPError as exc:
        return exc.read()


def measure(megabytes: float, polls: int) -> dict:
    port, token = _free_port(), secrets.token_hex(16)
    with tempfile.TemporaryDirectory(prefix="nb2pipe-bench-loop-") as scratch:
        cmd = [sys.executable, "-m", "jupyter_server", "--no-browser", "--allow-root",
               f"--port={port}", "--ip=127.0.0.1", f"--ServerApp.root_dir={scratch}",
               f"--IdentityProvider.token={token}",
               "--ServerApp.jpserver_extensions=jupyter_pipeline=True"]
        log = open(Path(scratch) / "server.log", "wb")
        proc = subprocess.Popen(cmd, cwd=scratch, stdout=log, stderr=subprocess.STDOUT,
                                env=dict(os.environ), start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 180  # a busy machine starts a server slowly
            while True:
                try:
                    _request(f"{base}/api/status", token, timeout=5)
                    break
                except OSError:
                    if time.monotonic() > deadline or proc.poll() is not None:
                        raise SystemExit(f"jupyter server did not start: see {scratch}")
                    time.sleep(0.2)
            small = json.dumps({"path": "warm.ipynb", "notebook": json.loads(
                nbformat.writes(synthetic_notebook(10)))}).encode()
            _request(f"{base}/nb2pipe/analyze", token, small)  # the worker is up and warm
            idle = []
            for _ in range(20):
                started = time.perf_counter()
                _request(f"{base}/api/status", token)
                idle.append(time.perf_counter() - started)
            body = json.dumps({"path": "big.ipynb", "notebook": big_notebook(megabytes)}).encode()
            done = threading.Event()
            analysed = {}

            def analyse() -> None:
                started = time.perf_counter()
                reply = json.loads(_request(f"{base}/nb2pipe/analyze", token, body))
                diagnostics = reply.get("diagnostics", [])
                analysed.update(seconds=time.perf_counter() - started,
                                stages=len(reply.get("stages", [])),
                                cells=len(json.loads(body)["notebook"]["cells"]),
                                message=reply.get("message") or (
                                    f"{len(diagnostics)} diagnostics, the first: "
                                    f"{diagnostics[0]['message']}" if diagnostics else None))
                done.set()

            threading.Thread(target=analyse, daemon=True).start()
            busy = []
            while not done.is_set() and len(busy) < polls:
                started = time.perf_counter()
                _request(f"{base}/api/status", token)
                busy.append(time.perf_counter() - started)
                time.sleep(0.05)
            done.wait()
            return {"mb": len(body) / 2**20, "idle": idle, "busy": busy, **analysed}
        finally:
            proc.terminate()
            proc.wait(timeout=20)
            log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=12)
    parser.add_argument("--polls", type=int, default=400)
    args = parser.parse_args()
    r = measure(args.mb, args.polls)
    idle, busy = statistics.median(r["idle"]), max(r["busy"]) if r["busy"] else float("nan")
    print(f"{r['mb']:.1f} MB unsaved notebook of {r['cells']} cells: analysis answered in "
          f"{r['seconds']:.1f} s ({r['stages']} stages{'; ' + r['message'] if r.get('message') else ''})")
    print(f"GET /api/status: idle median {idle * 1000:.1f} ms; during the analysis "
          f"{len(r['busy'])} polls, median {statistics.median(r['busy']) * 1000:.1f} ms, "
          f"max {busy * 1000:.0f} ms (target < 1000 ms); ratio max/idle {busy / idle:.0f}")


if __name__ == "__main__":
    main()
