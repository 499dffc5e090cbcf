"""`python -m jupyter_pipeline.cli`: the `nb2pipe` command, ended the same way (console_main:
flushed, then left at once, so the interpreter's teardown of kernel-client threads and event
loops prints nothing after the command's own last line)."""

from . import console_main

console_main()
