"""The wheel a user installs carries the prebuilt JupyterLab extension and the config that enables
the server extension, built from a clean copy of the sources (as `pip install .` from a fresh clone
builds it: no development build lying around to be shipped instead)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.integration.harness import env

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.fail("the wheel test copies the committed sources with git: run it in a clone")
    source = tmp_path_factory.mktemp("src")
    tracked = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                              "--exclude-standard"], cwd=ROOT, capture_output=True,
                             check=True).stdout.decode().split("\0")
    for name in filter(None, tracked):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("dist")
    e = env()
    e["PATH"] = f"{Path(sys.executable).parent}:{e.get('PATH', '')}"
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                           "--disable-pip-version-check", "-w", str(out), str(source)],
                          env=e, capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    [built] = out.glob("nb2pipe-*.whl")
    with zipfile.ZipFile(built) as zf:
        yield zf


def data_files(wheel: zipfile.ZipFile, prefix: str) -> dict[str, str]:
    """Files installed under sys.prefix/<prefix>, by their path below it."""
    found = {}
    for name in wheel.namelist():
        _, sep, rest = name.partition(".data/data/")
        if sep and rest.startswith(prefix):
            found[rest[len(prefix):]] = name
    return found


def test_the_wheel_ships_the_prebuilt_labextension(wheel):
    files = data_files(wheel, "share/jupyter/labextensions/nb2pipe/")
    assert "package.json" in files and "install.json" in files, sorted(files)
    assert any(f.startswith("static/remoteEntry.") for f in files), sorted(files)
    assert "schemas/nb2pipe/plugin.json" in files, sorted(files)
    package = json.loads(wheel.read(files["package.json"]))
    assert package["name"] == "nb2pipe"
    # a production build: no source maps of a development build shipped by mistake
    assert not any(f.endswith(".js.map") for f in files), sorted(files)
    toolbar = json.loads(wheel.read(files["schemas/nb2pipe/plugin.json"]))
    assert toolbar["jupyter.lab.toolbars"]["Notebook"][0]["command"] == "nb2pipe:export"


def test_the_wheel_enables_the_server_extension_on_install(wheel):
    files = data_files(wheel, "etc/jupyter/jupyter_server_config.d/")
    config = json.loads(wheel.read(files["jupyter_pipeline.json"]))
    assert config["ServerApp"]["jpserver_extensions"]["jupyter_pipeline"] is True
