"""What the fuzzer asserts of one notebook: nb2pipe answers with an analysis or an Nb2PipeError,
and for a notebook without errors the export it would write is well-formed; anything else is an
unexpected failure. Crashes of the analysis itself that the api turns into a located message
(AnalysisCrashed) are counted apart: the user sees a message, but they are bugs to fix."""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from pathlib import Path

from jupyter_pipeline import api
from jupyter_pipeline.errors import AnalysisCrashed, Nb2PipeError
from jupyter_pipeline.export import plan as export_plan
from jupyter_pipeline.export.layout import Layout
from jupyter_pipeline.wire import analysis_json

CRASHES: Counter = Counter()  # (exception type, message start) -> count, over a session


def check_notebook(data: object) -> None:
    try:
        analysis = api.analyze_notebook(data, "fuzz.ipynb")
    except AnalysisCrashed as exc:
        CRASHES[exc.error[:90]] += 1
        return
    except Nb2PipeError:
        return
    json.dumps(analysis_json(analysis))  # the server's answer can be sent
    if not analysis.ok:
        return
    try:
        plan = export_plan.build(analysis.notebook, analysis.pipeline, Layout("fuzz.ipynb"),
                                 None, None)
    except Nb2PipeError:
        return
    for rel, text in plan.all_files().items():
        text.encode("utf-8")  # every generated file can be written as UTF-8
        if rel.endswith((".ipynb", ".json")):
            json.loads(text)


def check_convert_on_disk(data: object) -> None:
    """The whole convert, writing into a scratch folder: what the command does."""
    with tempfile.TemporaryDirectory(prefix="nb2pipe-fuzz-") as scratch:
        path = Path(scratch) / "fuzz.ipynb"
        try:
            path.write_text(json.dumps(data), encoding="utf-8")
        except (UnicodeEncodeError, RecursionError, ValueError):
            return
        try:
            api.convert(path)
        except AnalysisCrashed as exc:
            CRASHES[exc.error[:90]] += 1
        except Nb2PipeError:
            pass
        leftovers = [p for p in Path(scratch).rglob(".nb2pipe-*.tmp")]
        assert not leftovers, leftovers


def report() -> str:
    if not CRASHES:
        return "analysis crashes caught at the api boundary: 0"
    lines = [f"analysis crashes caught at the api boundary: {sum(CRASHES.values())} "
             "(each a located message for the user, and a bug for the analysis):"]
    lines += [f"  {count:5d} x {what}" for what, count in CRASHES.most_common()]
    return "\n".join(lines)


def examples(default: int) -> int:
    return int(os.environ.get("NB2PIPE_FUZZ_EXAMPLES", default))
