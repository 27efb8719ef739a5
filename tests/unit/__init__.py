"""Pure-function tests: parsers, layouts, narrative, synthetic PDFs, fuzzing; no warehouse."""
