"""disclosure — the Dagster-free core of disclosure-lake."""

__version__ = "0.1.0"
