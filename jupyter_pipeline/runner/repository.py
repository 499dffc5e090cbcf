"""Edge: the DVC repository that holds a pipeline, and the settings of its config nb2pipe
honours (cache.dir, core.no_scm, core.hardlink_lock)."""

from __future__ import annotations

import configparser
from pathlib import Path


def dvc_repo(start: Path) -> Path | None:
    """The DVC repository that holds `start`: the nearest folder at or above it with a `.dvc`
    folder, as DVC itself finds it (a pipeline often lives in a sub-folder of the repository)."""
    for folder in (start.resolve(), *start.resolve().parents):
        if (folder / ".dvc").is_dir():
            return folder
    return None


def dvc_config(repo: Path, section: str, key: str) -> str | None:
    """A setting of the repository's DVC config; config.local wins over config, as in DVC."""
    value = None
    for name in ("config", "config.local"):
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        try:  # DVC writes configobj files with indented keys, which configparser reads unindented
            text = (repo / ".dvc" / name).read_text(encoding="utf-8")
            parser.read_string("\n".join(line.strip() for line in text.splitlines()))
        except (OSError, configparser.Error):
            continue
        if parser.has_option(section, key):
            value = parser.get(section, key)
    return value


def dvc_flag(repo: Path | None, section: str, key: str) -> bool:
    """A boolean setting (`core.no_scm`, `core.hardlink_lock`), false when unset."""
    value = dvc_config(repo, section, key) if repo is not None else None
    return (value or "").strip().lower() in ("true", "1", "yes")


def dvc_cache_dir(repo: Path) -> Path:
    """The repository's cache: `.dvc/cache`, or the `cache.dir` its config names (relative to
    `.dvc/`, as DVC reads it)."""
    configured = dvc_config(repo, "cache", "dir")
    return (repo / ".dvc" / configured).resolve() if configured else repo / ".dvc" / "cache"
