"""Dagster assets of the lake (raw → core → marts) and their checks."""
