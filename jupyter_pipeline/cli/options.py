"""Options several commands share."""

from __future__ import annotations

import argparse
from pathlib import Path

# `--by-headings` without a level: the level is chosen from the notebook (choose_heading_level).
CHOOSE_LEVEL = 0  # an int: argparse runs `type` on a string const


def add_by_headings(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--by-headings", nargs="?", const=CHOOSE_LEVEL, type=heading_level,
                     metavar="LEVEL",
                     help="split an untagged notebook into stages at its markdown headings; "
                          "without LEVEL, at the level that cuts it into sections (the "
                          "smallest with two headings or more before code)")


def heading_level(text: str) -> int:
    """Markdown has heading levels 1-6; any other level would silently match no heading and
    turn the whole notebook into one stage."""
    try:
        level = int(text)
    except ValueError:
        level = 0
    if not 1 <= level <= 6:
        raise argparse.ArgumentTypeError(f"'{text}' is not a heading level: use 1 to 6")
    return level


def choose_heading_level(args: argparse.Namespace) -> None:
    """`--by-headings` without a level: pick the level from the notebook and say which (on
    stderr)."""
    if getattr(args, "by_headings", None) != CHOOSE_LEVEL:
        return
    from .. import api
    from .output import console

    notebook = getattr(args, "notebook", None) or getattr(args, "target", None)
    if notebook is None or Path(notebook).is_dir():  # `dag DIR` reads dvc.yaml, not headings
        args.by_headings = None
        return
    level = api.split_level(notebook)
    # No heading before code at any level: level 2 gives the message that says so.
    args.by_headings = level or 2
    if level is not None:
        console(stderr=True).print(f"nb2pipe: splitting at the level-{level} headings ({'#' * level}), the level "
                  f"that cuts '{notebook}' into sections; --by-headings=N picks another",
                  markup=False)


class ExamplesFormatter(argparse.HelpFormatter):
    """argparse's help, with the description wrapped to the terminal as usual and the examples
    (the epilog, "example..." lines) kept as written: commands must not be re-flowed."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if text.startswith("example"):
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)
