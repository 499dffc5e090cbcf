"""`nb2pipe tag`: write stage tags into the notebook."""

from __future__ import annotations

import argparse

from rich.console import Console

from .. import api
from ..model.diagnostics import cell_name
from .options import ExamplesFormatter, add_by_headings


def add_tag(sub: argparse._SubParsersAction) -> None:
    t = sub.add_parser(
        "tag", help="write stage tags into the notebook",
        description="Write a 'stage:NAME' tag on the first code cell after each markdown "
                    "heading, named after the heading. Only the tags change in the notebook.",
        epilog="""examples:
  nb2pipe tag wine.ipynb --by-headings --dry-run  # which cells would be tagged
  nb2pipe tag wine.ipynb --by-headings            # at the level making sections
  nb2pipe tag wine.ipynb --by-headings=2          # at its '##' headings""",
        formatter_class=ExamplesFormatter)
    t.add_argument("notebook", help="the .ipynb to tag (rewritten in place)")
    add_by_headings(t)
    t.add_argument("--dry-run", action="store_true",
                   help="say which cells would be tagged; the notebook is not changed")
    t.set_defaults(handler=tag, needs_by_headings=True)


def tag(args: argparse.Namespace, out: Console) -> int:
    tagged = api.tag_by_headings(args.notebook, args.by_headings, args.dry_run)
    verb = "would tag" if args.dry_run else "tagged"
    for cell, name in tagged:
        out.print(f"{verb} {cell_name(cell)}: stage:{name}", markup=False)
    return 0
