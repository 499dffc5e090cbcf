"""Options several commands share."""

from __future__ import annotations

import argparse


def add_by_headings(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--by-headings", nargs="?", const=2, type=heading_level, metavar="LEVEL",
                     help="split an untagged notebook at markdown headings (default level 2)")


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
