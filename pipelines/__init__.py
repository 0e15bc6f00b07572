"""Dagster side of disclosure-lake: definitions, partitions, resources, sensors, schedules."""
