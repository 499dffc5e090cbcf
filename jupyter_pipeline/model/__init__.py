"""Pure values: the notebook as read, its tags, the pipeline IR and diagnostics."""
