"""`nb2pipe verify`: run the notebook whole and as a pipeline, and compare what they produce."""
