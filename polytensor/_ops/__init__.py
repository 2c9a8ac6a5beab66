"""The op table, one module per chapter of the standard."""
