"""What the engine tests share besides the engines: the nb2pipe command, the two projects a
test compares (one the engine runs, one `nb2pipe run` runs), a run's results read back from the
storage, and the comparison of a run with `nb2pipe run`'s, stage for stage."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

from jupyter_pipeline.runtime import handoff
from jupyter_pipeline.verify.compare import Paths, cell_outputs
from jupyter_pipeline.verify.values import same
from tests.nbbuild import notebook

from .conftest import BUCKET

WINE = Path(__file__).resolve().parents[2] / "example_notebooks" / "wine"

# Stage B reads files stage A wrote (a JSON report and a pickled model in folders of their
# own), besides a value handed on: on workers that share nothing, the files must go through the
# storage as the value does.
FILES_CELLS = [
    ("parameters", "scale = 3\nlabel = 'x'"),
    ("stage:write", "import json, os, pickle\n"
                    "os.makedirs('reports', exist_ok=True)\n"
                    "with open('reports/scores.json', 'w') as f:\n"
                    "    json.dump({'score': 0.5 * scale, 'label': label}, f)\n"
                    "os.makedirs('models', exist_ok=True)\n"
                    "with open('models/model.pkl', 'wb') as f:\n"
                    "    pickle.dump({'weights': [scale, scale * 2]}, f)\n"
                    "offset = scale + 1\n"
                    "print('wrote the report and the model')"),
    # The kernel works on local files: the task moves them, the kernel is not given the storage
    # (printed, so the outputs compared with nb2pipe run's say so).
    ("stage:read", "import json, os, pickle\n"
                   "print('storage:', os.environ.get('NB2PIPE_STORAGE'))\n"
                   "with open('reports/scores.json') as f:\n"
                   "    scores = json.load(f)\n"
                   "with open('models/model.pkl', 'rb') as f:\n"
                   "    model = pickle.load(f)\n"
                   "total = scores['score'] + sum(model['weights']) + offset\n"
                   "print(scores['label'], total)"),
]


def nb2pipe(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jupyter_pipeline.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})


def ok(proc: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert proc.returncode == 0, (proc.stdout or "")[-6000:] + (proc.stderr or "")[-4000:]
    return proc


def projects(tmp_path: Path, engine: str, source: Path | list | None = None,
             name: str = "files") -> tuple[Path, Path]:
    """(the project the engine runs, the one `nb2pipe run` runs), each holding `source` (a
    folder to copy, or cells of a notebook `name`.ipynb; default the files notebook)."""
    pair = tmp_path / engine, tmp_path / "local"
    for project in pair:
        if isinstance(source, Path):
            shutil.copytree(source, project)
        else:
            project.mkdir()
            (project / f"{name}.ipynb").write_text(json.dumps(notebook(source or FILES_CELLS)),
                                                   encoding="utf-8")
    return pair


def storage_for(tmp_path: Path) -> str:
    """A storage of the test's own in the bucket."""
    return f"s3://{BUCKET}/{tmp_path.name}"


def with_params(project: Path, values: dict[str, Any]) -> None:
    """Set parameters in a converted project's params.yaml (as a user would edit it)."""
    from ruamel.yaml import YAML

    yaml = YAML()
    path = project / "params.yaml"
    data = yaml.load(path.read_text(encoding="utf-8"))
    data.update(values)
    with path.open("w", encoding="utf-8") as f:
        yaml.dump(data, f)


@contextlib.contextmanager
def _reaching(s3: dict) -> Iterator[None]:
    """This process's environment reaching the S3 server, for the duration."""
    saved = {k: os.environ.get(k) for k in s3}
    os.environ.update(s3)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def runs(storage: str, s3: dict) -> set[str]:
    """The run folders in `storage` (each engine run hands values on in STORAGE/RUN_ID)."""
    import fsspec

    with _reaching(s3):
        fs, path = fsspec.core.url_to_fs(storage)
        fs.invalidate_cache()
        if not fs.exists(path):
            return set()
        return {p.rstrip("/").rsplit("/", 1)[1] for p in fs.ls(path, detail=False)}


def download(url: str, s3: dict, into: Path) -> Path:
    """Everything under `url` (one run's results) copied into the local folder `into`."""
    import fsspec

    with _reaching(s3):
        fs, path = fsspec.core.url_to_fs(url)
        fs.invalidate_cache()
        into.mkdir(parents=True)
        fs.get(path.rstrip("/") + "/", str(into), recursive=True)
    return into


def new_run(storage: str, s3: dict, before: set[str], into: Path) -> Path:
    """The one run made since `runs` gave `before`, downloaded into `into`."""
    made = runs(storage, s3) - before
    assert len(made) == 1, (before, made)
    return download(f"{storage}/{made.pop()}", s3, into)


def outputs(project: Path, pipeline: str, stage: str, paths: Paths) -> list[list[str]]:
    executed = project / "pipelines" / pipeline / "executed" / f"{stage}.ipynb"
    cells = json.loads(executed.read_text(encoding="utf-8"))["cells"]
    return [cell_outputs(c.get("outputs", []), paths) for c in cells if c["cell_type"] == "code"]


def values(project: Path, pipeline: str, stage: str) -> dict:
    """A stage's handed-on values, read as a later stage reads them."""
    folder = project / "pipelines" / pipeline / "data" / stage
    handoff._loaded.clear()
    index = json.loads((folder / handoff.INDEX).read_text(encoding="utf-8"))
    return {n: handoff.load(str(folder), n, stand_ins=True) for n in sorted(index)}


def stages(project: Path) -> dict[str, dict]:
    from ruamel.yaml import YAML

    return YAML(typ="safe").load((project / "dvc.yaml").read_text(encoding="utf-8"))["stages"]


def files_of(project: Path) -> set[str]:
    """The project's files, but for the KFP pipeline YAML compiling writes beside its file."""
    return {str(p.relative_to(project)) for p in project.rglob("*")
            if not (p.parent.name == "kfp" and p.suffix == ".yaml")}


def assert_same_as_nb2pipe_run(results: Path, local: Path, pipeline: str) -> None:
    """Every stage of the engine's run (its results, downloaded from the storage into
    `results`) equals `nb2pipe run`'s in `local`: the executed notebooks' outputs, every file
    a stage writes (metrics, reports, models) and the handed-on values."""
    paths = Paths.of({str(results): "<project>", str(local): "<project>"})
    for stage, spec in stages(local).items():
        assert outputs(results, pipeline, stage, paths) == outputs(local, pipeline, stage,
                                                                   paths), stage
        handoffs = local / "pipelines" / pipeline / "data" / stage
        for entry in [*spec.get("outs", []), *spec.get("metrics", []), *spec.get("plots", [])]:
            out = entry if isinstance(entry, str) else next(iter(entry))
            if out.startswith(f"pipelines/{pipeline}/executed/") or local / out == handoffs:
                continue
            mine, theirs = results / out, local / out
            assert mine.is_file() and theirs.is_file(), (stage, out)
            if out.endswith(".json"):
                assert json.loads(mine.read_text()) == json.loads(theirs.read_text()), out
            else:
                assert mine.read_bytes() == theirs.read_bytes(), (stage, out)
        if handoffs.exists():
            remote_values = values(results, pipeline, stage)
            local_values = values(local, pipeline, stage)
            assert sorted(remote_values) == sorted(local_values), stage
            for name in local_values:
                assert same(remote_values[name], local_values[name]) is None, (stage, name)
