"""Pure analysis: from cells to stages and the values, parameters and files that flow between them."""
