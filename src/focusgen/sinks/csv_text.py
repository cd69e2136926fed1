"""RFC 4180 CSV text of an Arrow table, built column by column (no loop over rows).

Each column becomes a pool of rendered fields, each field already followed by its
separator, and a code per row pointing into the pools. Values that repeat (dictionary
columns, timestamps, unit prices) are rendered once per distinct value; a float column
equal to an earlier one on some rows (EffectiveCost and BilledCost, the PricingCurrency
copies) points at that column's fields there. One ``take`` of the pooled fields in
row-major order then lays out the text: its data buffer is the CSV body.

The text keeps the rules of DuckDB's CSV writer, which focusgen used before: nulls are
empty fields, empty strings are ``""``, fields holding a comma, quote or line break are
quoted with inner quotes doubled, timestamps are ``YYYY-MM-DDTHH:MM:SSZ``, and whole
floats keep ``.0`` so that type-inferring readers (the official validator) see decimals.
Floats are Arrow's shortest round-trip text (``0.0000047`` where DuckDB wrote
``4.7e-06``): the same values read back.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from focusgen.engine import kernels as pc
from focusgen.engine.fromnumpy import from_numpy

TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
# Rows laid out per take. Through jemalloc, large take results are handed back to the OS
# when freed, so each slice faulted its text in afresh. Per 125K-row AWS FOCUS 1.2 chunk
# (~940 bytes a row), measured: 32K-row slices ~39K page faults and 260 ms, 8K-row slices
# ~33K faults, 4K and 2K rows ~3K faults and 172-175 ms. 2K leaves room for wider rows.
SLICE_ROWS = 2 * 1024
SAMPLE_ROWS = 4096  # rows that tell whether a float column repeats its values
_SPECIAL = (",", '"', "\n", "\r")  # characters that make a field need quotes


def supported(schema: pa.Schema) -> bool:
    """True when every column has a type this writer renders (flat scalars)."""
    return all(_kind(field.type) is not None for field in schema)


def header_line(names: list[str]) -> bytes:
    """The header row."""
    fields = _quoted(pa.array(names, pa.string())).to_pylist()
    return (",".join(fields) + "\n").encode()


def csv_slices(table: pa.Table) -> Iterator[memoryview]:
    """The table's rows as CSV text (no header), in slices of ``SLICE_ROWS`` rows."""
    n = table.num_rows
    if n == 0:
        return
    fields = _Fields(n, table.num_columns)
    last = table.num_columns - 1
    for j, column in enumerate(table.columns):
        array = column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
        fields.add(j, array, "\n" if j == last else ",")
    pools = fields.pools
    if sum(part.nbytes for part in pools) >= 2**31 - 1:  # beyond 32-bit string offsets
        pools = [pc.cast(part, pa.large_string()) for part in pools]
    pool = pa.concat_arrays(pools)
    codes = fields.codes  # columns x rows
    for start in range(0, n, SLICE_ROWS):
        index = np.ascontiguousarray(codes[:, start : start + SLICE_ROWS].T).ravel()
        yield _data(pc.take(pool, from_numpy(index)))


@dataclass
class _Float:
    """A float column already pooled: its bits, validity and every row's code."""

    bits: np.ndarray
    valid: np.ndarray
    codes: np.ndarray


class _Fields:
    """Pools of rendered fields and, per column, each row's code into them."""

    def __init__(self, rows: int, columns: int) -> None:
        self.rows = rows
        self.pools: list[pa.Array] = []
        self.codes = np.empty((columns, rows), dtype=np.int32)
        self.size = 0
        self.floats: list[_Float] = []

    def _pool(self, values: pa.Array) -> int:
        """Add rendered fields; return the code of the first."""
        base = self.size
        self.pools.append(values)
        self.size += len(values)
        return base

    def add(self, j: int, array: pa.Array, sep: str) -> None:
        """Pool column ``j``'s fields and set its row codes."""
        kind = _kind(array.type)
        if kind == "dictionary":
            self._coded(j, _quoted(pc.cast(array.dictionary, pa.string())), array.indices, sep)
        elif kind == "timestamp":
            encoded = pc.dictionary_encode(array)
            # In seconds: Arrow's %S writes the fraction of finer units (always zero here).
            seconds = pc.cast(encoded.dictionary, pa.timestamp("s", array.type.tz), safe=False)
            self._coded(j, pc.strftime(seconds, format=TIMESTAMP_FORMAT), encoded.indices, sep)
        elif kind == "float" and pa.types.is_float64(array.type):
            self._float(j, array, sep)
        elif kind == "float":
            self._per_row(j, _floats_text(array, sep))
        elif kind == "string":
            fields = pc.fill_null(_quoted(pc.cast(array, pa.string())), "")
            self._per_row(j, pc.binary_join_element_wise(fields, sep, ""))
        else:
            self._per_row(j, _append(pc.fill_null(pc.cast(array, pa.string()), ""), sep, None))

    def _per_row(self, j: int, values: pa.Array) -> None:
        base = self._pool(values)
        self.codes[j] = np.arange(base, base + self.rows, dtype=np.int32)

    def _coded(self, j: int, rendered: pa.Array, indices: pa.Array, sep: str) -> None:
        values = pc.cast(pc.binary_join_element_wise(rendered, sep, ""), pa.string())
        base = self._pool(pa.concat_arrays([values, pa.array([sep], pa.string())]))
        np.add(
            pc.fill_null(indices, len(values)).to_numpy(), base, out=self.codes[j], casting="unsafe"
        )

    def _float(self, j: int, array: pa.Array, sep: str) -> None:
        n = self.rows
        bits = np.frombuffer(array.buffers()[1], dtype=np.int64, count=n, offset=array.offset * 8)
        valid = (
            np.ones(n, dtype=bool)
            if array.null_count == 0
            else pc.is_valid(array).to_numpy(zero_copy_only=False)
        )
        sample = array.slice(0, SAMPLE_ROWS)
        if pc.count_distinct(sample).as_py() * 8 <= len(sample):
            # Few distinct values (unit prices, commitment quantities): render each once.
            encoded = pc.dictionary_encode(array)
            self._coded(j, _floats_text(encoded.dictionary), encoded.indices, sep)
            self.floats.append(_Float(bits, valid, self.codes[j]))
            return
        # Rows equal (bit for bit, so -0.0 is not 0.0) to an earlier float column reuse its
        # fields; only the other rows are rendered.
        same, earlier = None, None
        for other in self.floats:
            equal = (bits == other.bits) & valid & other.valid
            if same is None or np.count_nonzero(equal) > np.count_nonzero(same):
                same, earlier = equal, other
        if same is None or not same.any():
            self._per_row(j, _floats_text(array, sep))
        else:
            own = ~same
            base = self._pool(_floats_text(pc.filter(array, from_numpy(own)), sep))
            self.codes[j] = earlier.codes
            self.codes[j][own] = np.arange(base, base + np.count_nonzero(own), dtype=np.int32)
        self.floats.append(_Float(bits, valid, self.codes[j]))


def _floats_text(array: pa.Array, sep: str | None = None) -> pa.Array:
    """Floats as text (nulls empty), whole numbers with ``.0``, each followed by ``sep``."""
    text = pc.fill_null(pc.cast(array, pa.string()), "")
    # Arrow writes 1.0 as "1"; a decimal point keeps the column a decimal one.
    marked = pc.or_(
        pc.or_(pc.match_substring(text, "."), pc.match_substring(text, "e")),
        pc.or_(pc.match_substring(text, "n"), pc.equal(pc.binary_length(text), 0)),
    )
    whole = np.logical_not(marked.to_numpy(zero_copy_only=False))
    return _append(text, sep, whole)


def _append(text: pa.Array, sep: str | None, whole: np.ndarray | None) -> pa.Array:
    """``text`` with ``.0`` added where ``whole`` and the one-byte ``sep`` after each."""
    n = len(text)
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int32, count=n + 1, offset=text.offset * 4)
    data_buffer = text.buffers()[2]
    data = (
        np.frombuffer(data_buffer, dtype=np.uint8)[offsets[0] : offsets[-1]]
        if data_buffer is not None
        else np.empty(0, dtype=np.uint8)
    )
    ends = offsets[1:] - offsets[0]
    extra = np.zeros(n, dtype=np.int64) if sep is None else np.ones(n, dtype=np.int64)
    if whole is not None:
        extra += 2 * whole
    if not extra.any():
        return text
    first = np.cumsum(extra) - extra
    inserted = np.full(int(extra.sum()), ord(sep or "\n"), dtype=np.uint8)
    if whole is not None and whole.any():
        inserted[first[whole]] = ord(".")
        inserted[first[whole] + 1] = ord("0")
    out = np.insert(data, np.repeat(ends, extra), inserted)
    new_offsets = np.zeros(n + 1, dtype=np.int32)
    new_offsets[1:] = ends + np.cumsum(extra)
    return pa.StringArray.from_buffers(n, pa.py_buffer(new_offsets), pa.py_buffer(out))


def _quoted(strings: pa.Array) -> pa.Array:
    """Strings as CSV fields: quoted (inner quotes doubled) where needed; nulls stay null."""
    needs = pc.equal(pc.binary_length(strings), 0)
    for special in _SPECIAL:  # four literal searches beat one regular expression
        needs = pc.or_(needs, pc.match_substring(strings, special))
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(strings, '"', '""'), '"', "")
    return pc.if_else(needs, quoted, strings)


def _kind(kind: pa.DataType) -> str | None:
    if pa.types.is_dictionary(kind):
        return "dictionary" if pa.types.is_string(kind.value_type) else None
    if pa.types.is_timestamp(kind):
        return "timestamp"
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return "string"
    if pa.types.is_floating(kind):
        return "float"
    if pa.types.is_integer(kind) or pa.types.is_boolean(kind):
        return "plain"
    return None


def _data(text: pa.Array) -> memoryview:
    """The contiguous bytes of a string array's values."""
    width = 8 if pa.types.is_large_string(text.type) else 4
    offsets = np.frombuffer(
        text.buffers()[1],
        dtype=np.int64 if width == 8 else np.int32,
        count=len(text) + 1,
        offset=text.offset * width,
    )
    return memoryview(text.buffers()[2])[int(offsets[0]) : int(offsets[-1])]
