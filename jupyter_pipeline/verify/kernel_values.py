"""Edge: judge the handed-on values in the Python of the notebook's own kernel. The values were
made there, by its libraries (an old pandas, statsmodels): nb2pipe's environment may not have
those libraries at all, or load their pickles differently. The kernel's environment has nb2pipe
installed (generated stages import its runtime), so this module runs there as a script:

    KERNEL_PYTHON -m jupyter_pipeline.verify.kernel_values < request.json > verdicts.json
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from .compare import Paths
from .judge import Verdict

# (stage, value names, probe folder of each whole run, the pipeline's handoff folder)
Request = tuple[str, tuple[str, ...], list[Path], Path]


def kernel_python(kernel: str | None) -> str:
    """The interpreter the kernel runs (its spec's first argument), else this one."""
    if kernel:
        try:
            from jupyter_client.kernelspec import KernelSpecManager

            argv = KernelSpecManager().get_kernel_spec(kernel).argv
            if argv and Path(argv[0]).is_absolute():
                return argv[0]
        except Exception:  # noqa: BLE001 - no such kernel: the runs said so already
            pass
    return sys.executable


def judge_values(python: str, requests: list[Request], paths: Paths = Paths(),
                 structure_only: bool = False) -> list[tuple[str, str, str, Verdict]]:
    """(stage, name, where, verdict) for every value of every request, judged in `python`."""
    if not requests:
        return []  # no interpreter to start
    payload = {"requests": [[s, list(n), [str(p) for p in probes], str(data)]
                            for s, n, probes, data in requests],
               "paths": [list(r) for r in paths.replacements], "structure_only": structure_only}
    proc = subprocess.run([python, "-m", "jupyter_pipeline.verify.kernel_values"],
                          input=json.dumps(payload), capture_output=True, text=True)
    if proc.returncode != 0:
        lines = (proc.stderr or proc.stdout).strip().splitlines()
        detail = lines[-1] if lines else f"exit {proc.returncode}"
        return [(requests[0][0] if requests else "", "", "the handed-on values",
                 Verdict(f"cannot be compared in the kernel's environment ({python}): "
                         f"{detail}"))]
    return [(stage, name, where, Verdict(*verdict))
            for stage, name, where, verdict in json.loads(proc.stdout)]


def _main() -> None:
    from .stage_verdicts import value_verdicts

    request = json.load(sys.stdin)
    paths = Paths(tuple((s, u) for s, u in request["paths"]))
    found: list[list[Any]] = []
    for stage, names, probes, data in request["requests"]:
        for name, (where, v) in zip(names, value_verdicts(
                names, [Path(p) for p in probes], Path(data), paths, request["structure_only"])):
            found.append([stage, name, where, [v.difference, v.varies]])
    json.dump(found, sys.stdout)


if __name__ == "__main__":
    _main()
