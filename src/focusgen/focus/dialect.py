"""Project canonical batches onto one FOCUS version: its columns, in its order."""

from __future__ import annotations

from functools import cache

import pyarrow as pa

from focusgen.focus.spec import column_names


@cache
def version_columns(version: str, dataset: str = "CostAndUsage") -> tuple[str, ...]:
    """Column names a version's dataset carries (FOCUS columns in the spec's order)."""
    return tuple(column_names(version, dataset))


def project(
    table: pa.Table, version: str, extensions: dict[str, pa.ChunkedArray] | None = None
) -> pa.Table:
    """The version's Cost and Usage columns in order, then extension columns by name."""
    out = table.select(list(version_columns(version)))
    for name in sorted(extensions or {}):
        out = out.append_column(name, extensions[name])
    return out


def output_schema(
    version: str, canonical: pa.Schema, extensions: list[pa.Field] | None = None
) -> pa.Schema:
    """The schema of projected tables (internal types: dictionary strings, float64, UTC)."""
    fields = [canonical.field(name) for name in version_columns(version)]
    return pa.schema(fields + sorted(extensions or [], key=lambda f: f.name))
