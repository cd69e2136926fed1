"""Run summary: rows and cost totals per charge category, provider and month."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

METRICS = ("BilledCost", "EffectiveCost", "ListCost", "ContractedCost")


@dataclass(frozen=True)
class ChunkTotals:
    """One chunk's rows and cost sums, small enough to send back from a worker."""

    rows: int
    by_category: list[tuple[str, int, tuple[float, ...]]]
    sums: tuple[float, ...]
    economics: list[tuple[tuple, tuple[float, float, float]]] = field(default_factory=list)
    invoice_lines: list[tuple[str, float]] = field(default_factory=list)


def chunk_totals(table: pa.Table) -> ChunkTotals:
    """Rows and cost sums of a table, overall and per charge category."""
    charge, charge_values = _codes(table["ChargeCategory"])
    metrics = [_floats(table[m]) for m in METRICS]
    count = np.bincount(charge, minlength=len(charge_values))
    group_sums = [np.bincount(charge, weights=v, minlength=len(charge_values)) for v in metrics]
    by_category = [
        (str(charge_values[g]), int(count[g]), tuple(float(s[g]) for s in group_sums))
        for g in np.flatnonzero(count)
    ]
    sums = tuple(pc.sum(table[m]).as_py() or 0.0 for m in METRICS)
    return ChunkTotals(table.num_rows, by_category, sums, _economics(table), _invoice_lines(table))


def _codes(column: pa.ChunkedArray, null: Any = None) -> tuple[np.ndarray, list]:
    """Each row's index into the column's distinct values (null rows get ``null``'s index).

    Works on the dictionary indices: no string is decoded per row.
    """
    values: list = [null]
    index: dict = {null: 0}
    parts = []
    for chunk in column.chunks:
        if not pa.types.is_dictionary(chunk.type):
            chunk = chunk.dictionary_encode()
        remap = []
        for value in chunk.dictionary.to_pylist():
            if value not in index:
                index[value] = len(values)
                values.append(value)
            remap.append(index[value])
        remap = np.array([*remap, 0], dtype=np.int64)
        # Null rows point one past the dictionary, at the null value's index.
        raw = pc.fill_null(chunk.indices, len(chunk.dictionary)).to_numpy(zero_copy_only=False)
        parts.append(remap[raw])
    return (np.concatenate(parts) if parts else np.zeros(0, np.int64)), values


def _floats(column: pa.ChunkedArray) -> np.ndarray:
    """A float column as numpy (nulls as 0.0, which adds nothing to a sum)."""
    if column.null_count:
        column = pc.fill_null(column, 0.0)
    return column.to_numpy()


def _grouped(keys: list[tuple[np.ndarray, int]], metrics: list[np.ndarray]):
    """Group rows by several small-integer keys; yield (key codes, count, sums) per group.

    ``np.bincount`` adds each group's values one by one in row order, as Arrow's
    single-threaded hash aggregation does, so the sums are the same floats.
    """
    code = np.zeros(len(metrics[0]), dtype=np.int64)
    size = 1
    for key, n in keys:
        code = code * n + key
        size *= n
    count = np.bincount(code, minlength=size)
    sums = [np.bincount(code, weights=m, minlength=size) for m in metrics]
    for group in np.flatnonzero(count):
        parts, rest = [], int(group)
        for _, n in reversed(keys):
            parts.append(rest % n)
            rest //= n
        yield parts[::-1], int(count[group]), [float(s[group]) for s in sums]


def _economics(table: pa.Table) -> list[tuple[tuple, tuple[float, float, float]]]:
    """Sums by (category, charge category, commitment status, tagged, has resource)."""
    category, category_values = _codes(table["ServiceCategory"])
    charge, charge_values = _codes(table["ChargeCategory"])
    status, status_values = _codes(table["CommitmentDiscountStatus"], null="")
    tagged = pc.is_valid(table["Tags"]).to_numpy(zero_copy_only=False).astype(np.int64)
    resource = pc.is_valid(table["ResourceId"]).to_numpy(zero_copy_only=False).astype(np.int64)
    keys = [
        (category, len(category_values)),
        (charge, len(charge_values)),
        (status, len(status_values)),
        (tagged, 2),
        (resource, 2),
    ]
    metrics = [_floats(table[m]) for m in ("ListCost", "EffectiveCost", "BilledCost")]
    return [
        (
            (category_values[c], charge_values[h], status_values[s], bool(t), bool(r)),
            (sums[0], sums[1], sums[2]),
        )
        for (c, h, s, t, r), _, sums in _grouped(keys, metrics)
    ]


def _invoice_lines(table: pa.Table) -> list[tuple[str, float]]:
    """Billed cost per InvoiceDetailId (FOCUS 1.4 tables only)."""
    if "InvoiceDetailId" not in table.column_names:
        return []
    ids, id_values = _codes(table["InvoiceDetailId"])
    billed = _floats(table["BilledCost"])
    return [
        (id_values[i], sums[0]) for (i,), _, sums in _grouped([(ids, len(id_values))], [billed])
    ]


@dataclass
class Totals:
    """Accumulates rows and cost sums as chunks are written."""

    rows: int = 0
    by_category: dict[str, dict[str, float]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(float))
    )
    by_provider: dict[str, dict[str, float]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(float))
    )
    by_month: dict[str, dict[str, float]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(float))
    )
    economics: dict[tuple, list[float]] = field(default_factory=dict)
    invoice_lines: dict[str, dict[str, float]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(float))
    )

    def add(self, table: pa.Table, provider: str, month: str) -> None:
        """Add a written table's rows and sums."""
        self.merge(chunk_totals(table), provider, month)

    def merge(self, part: ChunkTotals, provider: str, month: str) -> None:
        """Add one chunk's totals; merging in chunk order keeps the floats reproducible."""
        self.rows += part.rows
        for category, count, sums in part.by_category:
            target = self.by_category[category]
            target["rows"] += count
            for m, value in zip(METRICS, sums, strict=True):
                target[m] += value
        for key, values in part.economics:
            bucket = self.economics.setdefault((provider, month, *key), [0.0, 0.0, 0.0])
            for j in range(3):
                bucket[j] += values[j]
        ledger = self.invoice_lines[provider]
        for line_id, billed in part.invoice_lines:
            ledger[line_id] += billed or 0.0
        for key, bucket in ((provider, self.by_provider), (month, self.by_month)):
            bucket[key]["rows"] += part.rows
            for m, value in zip(METRICS, part.sums, strict=True):
                bucket[key][m] += value

    def as_dict(self) -> dict[str, Any]:
        """Plain, rounded, sorted totals."""

        def clean(d: dict) -> dict:
            return {
                k: {m: (int(v) if m == "rows" else round(v, 4)) for m, v in sorted(inner.items())}
                for k, inner in sorted(d.items())
            }

        return {
            "rows": self.rows,
            "by_charge_category": clean(self.by_category),
            "by_provider": clean(self.by_provider),
            "by_month": clean(self.by_month),
        }


def write_summary(path: Path, content: dict[str, Any]) -> None:
    """Write summary.json atomically."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(content, indent=2, sort_keys=True) + "\n")
    tmp.replace(path)
