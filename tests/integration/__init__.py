"""Tests that build a warehouse, run dbt or start a server."""
