"""nb2pipe: turn a tagged Jupyter notebook into a reproducible DVC pipeline."""

__version__ = "0.1.0"
