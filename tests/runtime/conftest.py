from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from jupyter_pipeline.runtime import handoff


@pytest.fixture()
def roundtrip(tmp_path):
    """Save values as a stage does and load them as a later stage does (from the files, not
    from this process's cache). Returns (loaded values, the index's formats)."""
    def go(**values: Any) -> tuple[dict[str, Any], dict[str, str]]:
        folder = tmp_path / f"h{len(list(tmp_path.iterdir()))}"
        handoff.save(str(folder), values, stage="a", needed_by={n: ["b"] for n in values})
        handoff._loaded.clear()
        loaded = {n: handoff.load(str(folder), n) for n in values}
        index = json.loads((Path(folder) / handoff.INDEX).read_text())
        return loaded, {n: e["format"] for n, e in index.items()}
    return go
