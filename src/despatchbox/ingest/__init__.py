"""Reading source files into plain records. Knows nothing of the database or the web."""
