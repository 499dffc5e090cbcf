"""A real jupyter_server (pytest-jupyter) with nb2pipe's extension loaded; requests go through
its real authentication, routing and JSON handling."""

from __future__ import annotations

import json

import nbformat
import pytest

from tests.nbbuild import notebook


TWO_STAGES = [("parameters", "n = 3"), ("stage:make", "numbers = list(range(n))"),
              ("stage:total", "total = sum(numbers)\nprint(total)")]


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"jupyter_pipeline": True}}}


@pytest.fixture
def write_notebook(jp_root_dir):
    def write(rel: str, cells=TWO_STAGES) -> dict:
        path = jp_root_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        data = notebook(cells)
        nbformat.write(nbformat.from_dict(data), path)
        return data
    return write


@pytest.fixture
def call(jp_fetch):
    """POST/GET a route of the API; the answer's status and JSON body (errors included)."""
    async def request(route: str, body=None, method: str = "POST", raw: bytes | None = None,
                      headers: dict | None = None):
        payload = raw if raw is not None else json.dumps(body).encode() if body is not None \
            else None
        kwargs = {"body": payload} if method == "POST" else {}
        response = await jp_fetch("nb2pipe", *route.split("/"), method=method,
                                  headers=headers, raise_error=False, **kwargs)
        text = response.body.decode() if response.body else ""
        try:
            return response.code, json.loads(text) if text else None
        except ValueError:
            return response.code, text
    return request
