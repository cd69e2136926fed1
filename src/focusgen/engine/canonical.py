"""The canonical internal schema: every Cost and Usage column of every FOCUS version."""

from __future__ import annotations

from functools import cache

import pyarrow as pa

from focusgen.engine.arrow import DECIMAL, STRING, TIMESTAMP, null_decimals, null_strings, nulls
from focusgen.focus.spec import columns, versions

_TYPES = {"String": STRING, "JSON": STRING, "Decimal": DECIMAL, "Date/Time": TIMESTAMP}

# World keys carried beside the FOCUS columns so provider extension columns can be looked
# up per row; projection drops them. Null where a row has no such key (a tax row has no SKU).
KEYS = {
    "_sub": pa.int32(),
    "_service": pa.int32(),
    "_sku": pa.int32(),
    "_region": pa.int32(),
    "_resource": pa.int32(),
    "_fx": DECIMAL,
    "_credit": DECIMAL,
}


@cache
def canonical_schema() -> pa.Schema:
    """Union of the Cost and Usage columns of all versions, with internal Arrow types."""
    seen: dict[str, pa.DataType] = {}
    for version in versions():
        for spec in columns(version, "CostAndUsage"):
            seen.setdefault(spec.name, _TYPES[spec.type])
    seen.update(KEYS)
    return pa.schema([pa.field(name, seen[name]) for name in sorted(seen)])


def to_table(cols: dict[str, pa.Array], n: int) -> pa.Table:
    """A canonical table from the columns a block has; the rest are null."""
    arrays = []
    for field in canonical_schema():
        array = cols.get(field.name)
        if array is None:
            if pa.types.is_integer(field.type):
                array = nulls(n, field.type)
            elif field.type == DECIMAL:
                array = null_decimals(n)
            elif field.type == TIMESTAMP:
                raise ValueError(f"block lacks mandatory timestamp column {field.name}")
            else:
                array = null_strings(n)
        arrays.append(array)
    return pa.Table.from_arrays(arrays, schema=canonical_schema())
