# pytest-jupyter's fixtures (jp_fetch, a real jupyter_server) for tests/server; plugins can only
# be named in the top-level conftest.
pytest_plugins = ["pytest_jupyter.jupyter_server"]
