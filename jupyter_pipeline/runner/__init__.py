"""Running stages: plan.py decides (pure), execute.py runs (papermill, processes)."""
