"""What the engine tests share: the nb2pipe command, and a stage's outputs and handed-on values
as a reader compares them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from jupyter_pipeline.runtime import handoff
from jupyter_pipeline.verify.compare import Paths, cell_outputs
from jupyter_pipeline.verify.values import same

WINE = Path(__file__).resolve().parents[2] / "example_notebooks" / "wine"
WINE_STAGES = ["load", "clean", "features", "train", "evaluate"]


def nb2pipe(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jupyter_pipeline.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})


def ok(proc: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def outputs(project: Path, stage: str, paths: Paths) -> list[list[str]]:
    executed = project / "pipelines" / "wine" / "executed" / f"{stage}.ipynb"
    cells = json.loads(executed.read_text(encoding="utf-8"))["cells"]
    return [cell_outputs(c.get("outputs", []), paths) for c in cells if c["cell_type"] == "code"]


def values(project: Path, stage: str, storage: str | None, monkeypatch) -> dict:
    """A stage's handed-on values, read as a later stage reads them (from storage, when set)."""
    folder = project / "pipelines" / "wine" / "data" / stage
    with monkeypatch.context() as m:
        if storage:
            m.setenv("NB2PIPE_STORAGE", storage)
            m.setenv("NB2PIPE_PROJECT_ROOT", str(project))
        handoff._loaded.clear()
        names = handoff.remote.fetch(handoff.remote.url_of(str(folder), None)) if storage \
            else str(folder)
        index = json.loads((Path(names) / handoff.INDEX).read_text(encoding="utf-8"))
        return {n: handoff.load(str(folder), n, stand_ins=True) for n in sorted(index)}


def assert_same_as_nb2pipe_run(engine_project: Path, local: Path, storage: str, s3: dict,
                               monkeypatch) -> None:
    """Every wine stage run by the engine (handoffs in `storage`) equals `nb2pipe run`'s (in
    `local`): executed outputs, metrics and handed-on values."""
    # Handoffs went through the storage only: no worker needs another's folder.
    assert not (engine_project / "pipelines" / "wine" / "data").exists()
    for key, value in s3.items():
        monkeypatch.setenv(key, value)
    paths = Paths.of({str(engine_project): "<project>", str(local): "<project>"})
    for stage in WINE_STAGES:
        assert outputs(engine_project, stage, paths) == outputs(local, stage, paths), stage
        mine = engine_project / "pipelines" / "wine" / "metrics" / f"{stage}.json"
        theirs = local / "pipelines" / "wine" / "metrics" / f"{stage}.json"
        assert mine.exists() == theirs.exists(), stage
        if theirs.exists():
            assert json.loads(mine.read_text()) == json.loads(theirs.read_text()), stage
        if (local / "pipelines" / "wine" / "data" / stage).exists():
            remote_values = values(engine_project, stage, storage, monkeypatch)
            local_values = values(local, stage, None, monkeypatch)
            assert sorted(remote_values) == sorted(local_values), stage
            for name in local_values:
                assert same(remote_values[name], local_values[name]) is None, (stage, name)


def only_run(storage: str, s3: dict, monkeypatch) -> str:
    """The storage folder of the one run made so far under `storage` (a DAG's run hands values
    on in STORAGE/RUN_ID)."""
    import fsspec

    with monkeypatch.context() as m:
        for key, value in s3.items():
            m.setenv(key, value)
        fs, path = fsspec.core.url_to_fs(storage)
        fs.invalidate_cache()
        runs = fs.ls(path, detail=False)
    assert len(runs) == 1, runs
    return storage.rstrip("/") + "/" + runs[0].rstrip("/").rsplit("/", 1)[1]
