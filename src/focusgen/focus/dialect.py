"""Project canonical batches onto one FOCUS version: its columns, in its order."""

from __future__ import annotations

from functools import cache

import pyarrow as pa

from focusgen.focus.spec import column_names


@cache
def version_columns(version: str, dataset: str = "CostAndUsage") -> tuple[str, ...]:
    """Column names a version's dataset carries (FOCUS columns in the spec's order)."""
    return tuple(column_names(version, dataset))


def project(table: pa.Table, version: str) -> pa.Table:
    """Select exactly the version's Cost and Usage columns, in order."""
    return table.select(list(version_columns(version)))


def output_schema(version: str, canonical: pa.Schema) -> pa.Schema:
    """The schema of projected tables (internal types: dictionary strings, float64, UTC)."""
    return pa.schema([canonical.field(name) for name in version_columns(version)])
