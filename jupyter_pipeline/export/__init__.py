"""Pure renderers: from the pipeline IR to the text of every generated file."""
