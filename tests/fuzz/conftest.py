from tests.server.conftest import call, jp_server_config, write_notebook  # noqa: F401 - fixtures
