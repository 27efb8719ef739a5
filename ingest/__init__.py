"""Loaders: report text → typed records → raw.* tables."""
