"""Parameter sweeps recorded as DVC experiments (`nb2pipe sweep`).

`grid.py` (pure) reads `-S name=v1,v2` into a grid and checks the names against params.yaml;
`order.py` (pure) picks which combination runs next so that combinations sharing upstream work
do not compute it twice at once; `scratch.py` makes and removes the scratch git worktrees each
combination runs in; `reuse.py` restores stage outputs from DVC's cache (what the workspace or an
earlier combination computed) so the runner skips those stages; `worker.py` runs one combination
in its own process and records it with `dvc exp save`; `results.py` reads params and metrics
back from `dvc exp show --json`; `sweep.py` ties them together.
"""
