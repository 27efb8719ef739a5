"""juesuan (决算): final-accounts disclosures as an audited DuckDB warehouse."""

__version__ = "0.1.0"
