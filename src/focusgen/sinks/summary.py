"""Run summary: rows and cost totals per charge category, provider and month."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from focusgen.engine import kernels as pc

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
    """Rows and cost sums of a table, overall and per charge category.

    Each cost column is turned into numpy once, added to every grouping that sums it and
    dropped: a chunk's cost columns copied side by side would add tens of MB to the peak.
    """
    charge, charge_values = _codes(table["ChargeCategory"])
    by_charge = _Grouping([(charge, len(charge_values))])
    economics, economics_values = _economics_grouping(table, charge, len(charge_values))
    del charge
    invoice = _invoice_grouping(table)
    for m in METRICS:
        values = _floats(table[m])
        by_charge.add(values)
        if m in ECONOMICS_METRICS:
            economics.add(values, ECONOMICS_METRICS.index(m))
        if invoice is not None and m == "BilledCost":
            invoice[0].add(values)
        del values
    by_category = [
        (str(charge_values[g]), count, tuple(group)) for (g,), count, group in by_charge.groups()
    ]
    totals = tuple(pc.sum(table[m]).as_py() or 0.0 for m in METRICS)
    category_values, status_values = economics_values
    economic = [
        (
            (category_values[c], charge_values[h], status_values[s], bool(t), bool(r)),
            (group[0], group[1], group[2]),
        )
        for (c, h, s, t, r), _, group in economics.groups()
    ]
    lines = (
        []
        if invoice is None
        else [(invoice[1][i], group[0]) for (i,), _, group in invoice[0].groups()]
    )
    return ChunkTotals(table.num_rows, by_category, totals, economic, lines)


ECONOMICS_METRICS = ("ListCost", "EffectiveCost", "BilledCost")


def _codes(column: pa.ChunkedArray, null: Any = None) -> tuple[np.ndarray, list]:
    """Each row's index into the column's distinct values (null rows get ``null``'s index).

    Works on the dictionary indices: no string is decoded per row.
    """
    values: list = [null]
    index: dict = {null: 0}
    parts = []
    for chunk in column.chunks:
        if not pa.types.is_dictionary(chunk.type):
            chunk = pc.dictionary_encode(chunk)
        remap = []
        for value in chunk.dictionary.to_pylist():
            if value not in index:
                index[value] = len(values)
                values.append(value)
            remap.append(index[value])
        remap = np.array([*remap, 0], dtype=np.intp)
        # Null rows point one past the dictionary, at the null value's index.
        raw = pc.fill_null(chunk.indices, len(chunk.dictionary)).to_numpy(zero_copy_only=False)
        parts.append(remap[raw])
        del raw
    if len(parts) == 1:
        return parts[0], values
    return (np.concatenate(parts) if parts else np.zeros(0, np.intp)), values


def _floats(column: pa.ChunkedArray) -> np.ndarray:
    """A float column as numpy (nulls as 0.0, which adds nothing to a sum)."""
    if column.null_count:
        column = pc.fill_null(column, 0.0)
    return column.to_numpy()


class _Grouping:
    """Rows grouped by several small-integer keys, with per-group sums of metrics.

    ``np.bincount`` adds each group's values one by one in row order, as Arrow's
    single-threaded hash aggregation does, so the sums are the same floats.
    """

    def __init__(self, keys: list[tuple[np.ndarray, int]], metrics: int = 4) -> None:
        self.sizes = [n for _, n in keys]
        first, _ = keys[0]
        code = first.astype(np.intp, copy=len(keys) > 1)
        for key, n in keys[1:]:
            code *= n
            code += key
        self.size = int(np.prod(self.sizes))
        self.code = code
        self.count = np.bincount(code, minlength=self.size)
        self.sums: list[np.ndarray | None] = [None] * metrics
        self._next = 0

    def add(self, values: np.ndarray, slot: int | None = None) -> None:
        """Sum one metric per group (into ``slot``, else the next free one)."""
        if slot is None:
            slot, self._next = self._next, self._next + 1
        self.sums[slot] = np.bincount(self.code, weights=values, minlength=self.size)

    def groups(self):
        """(key codes, count, sums) of every group with rows, in code order."""
        sums = [s for s in self.sums if s is not None]
        for group in np.flatnonzero(self.count):
            parts, rest = [], int(group)
            for n in reversed(self.sizes):
                parts.append(rest % n)
                rest //= n
            yield parts[::-1], int(self.count[group]), [float(s[group]) for s in sums]


def _economics_grouping(
    table: pa.Table, charge: np.ndarray, n_charge: int
) -> tuple[_Grouping, tuple[list, list]]:
    """Grouping by (category, charge category, commitment status, tagged, has resource)."""
    category, category_values = _codes(table["ServiceCategory"])
    status, status_values = _codes(table["CommitmentDiscountStatus"], null="")
    tagged = pc.is_valid(table["Tags"]).to_numpy(zero_copy_only=False)
    resource = pc.is_valid(table["ResourceId"]).to_numpy(zero_copy_only=False)
    keys = [
        (category, len(category_values)),
        (charge, n_charge),
        (status, len(status_values)),
        (tagged, 2),
        (resource, 2),
    ]
    grouping = _Grouping(keys, metrics=len(ECONOMICS_METRICS))
    return grouping, (category_values, status_values)


def _invoice_grouping(table: pa.Table) -> tuple[_Grouping, list] | None:
    """Grouping by InvoiceDetailId (FOCUS 1.4 tables only), with its values."""
    if "InvoiceDetailId" not in table.column_names:
        return None
    ids, id_values = _codes(table["InvoiceDetailId"])
    return _Grouping([(ids, len(id_values))], metrics=1), id_values


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
