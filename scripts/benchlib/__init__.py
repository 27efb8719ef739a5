"""Measurement helpers for ``scripts/bench.py`` (``make bench``): memory of a process tree
(:mod:`.memory`) and the timed passes and quality checks (:mod:`.measure`)."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
