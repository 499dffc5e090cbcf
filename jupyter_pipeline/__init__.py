"""nb2pipe: turn a tagged Jupyter notebook into a reproducible DVC pipeline."""

__version__ = "0.1.0"


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    """jupyter_server finds the extension (enabled by the config file the wheel installs)."""
    return [{"module": "jupyter_pipeline.server"}]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    """The prebuilt JupyterLab extension (`jupyter labextension develop` links it)."""
    return [{"src": "labextension", "dest": "nb2pipe"}]
