"""`nb2pipe tag`: write stage tags into the notebook."""

from __future__ import annotations

import argparse

from rich.console import Console

from .. import api
from .options import add_by_headings


def add_tag(sub: argparse._SubParsersAction) -> None:
    t = sub.add_parser("tag", help="write stage tags into the notebook")
    t.add_argument("notebook")
    add_by_headings(t)
    t.add_argument("--dry-run", action="store_true")
    t.set_defaults(handler=tag, needs_by_headings=True)


def tag(args: argparse.Namespace, out: Console) -> int:
    tagged = api.tag_by_headings(args.notebook, args.by_headings, args.dry_run)
    verb = "would tag" if args.dry_run else "tagged"
    for cell, name in tagged:
        out.print(f"{verb} cell {cell}: stage:{name}", markup=False)
    return 0
