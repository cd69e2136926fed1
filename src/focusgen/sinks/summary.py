"""Run summary: rows and cost totals per charge category, provider and month."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    small = table.select(["ChargeCategory", *METRICS])
    small = small.set_column(0, "ChargeCategory", small["ChargeCategory"].cast(pa.string()))
    # One thread: the float sums then do not depend on how batches were scheduled.
    grouped = small.group_by("ChargeCategory", use_threads=False).aggregate(
        [(m, "sum") for m in METRICS] + [("ChargeCategory", "count")]
    )
    by_category = [
        (
            str(row["ChargeCategory"]),
            int(row["ChargeCategory_count"]),
            tuple(row[f"{m}_sum"] or 0.0 for m in METRICS),
        )
        for row in grouped.to_pylist()
    ]
    sums = tuple(pc.sum(table[m]).as_py() or 0.0 for m in METRICS)
    return ChunkTotals(table.num_rows, by_category, sums, _economics(table), _invoice_lines(table))


def _economics(table: pa.Table) -> list[tuple[tuple, tuple[float, float, float]]]:
    """Sums by (category, charge category, commitment status, tagged, has resource)."""
    keys = pa.table(
        {
            "category": table["ServiceCategory"].cast(pa.string()),
            "charge": table["ChargeCategory"].cast(pa.string()),
            "status": table["CommitmentDiscountStatus"].cast(pa.string()).fill_null(""),
            "tagged": pc.is_valid(table["Tags"]),
            "resource": pc.is_valid(table["ResourceId"]),
            "list": table["ListCost"],
            "effective": table["EffectiveCost"],
            "billed": table["BilledCost"],
        }
    )
    grouped = keys.group_by(
        ["category", "charge", "status", "tagged", "resource"], use_threads=False
    ).aggregate([("list", "sum"), ("effective", "sum"), ("billed", "sum")])
    return [
        (
            (r["category"], r["charge"], r["status"], r["tagged"], r["resource"]),
            (r["list_sum"] or 0.0, r["effective_sum"] or 0.0, r["billed_sum"] or 0.0),
        )
        for r in grouped.to_pylist()
    ]


def _invoice_lines(table: pa.Table) -> list[tuple[str, float]]:
    """Billed cost per InvoiceDetailId (FOCUS 1.4 tables only)."""
    if "InvoiceDetailId" not in table.column_names:
        return []
    lines = (
        pa.table(
            {
                "id": table["InvoiceDetailId"].cast(pa.string()),
                "billed": table["BilledCost"],
            }
        )
        .group_by("id", use_threads=False)
        .aggregate([("billed", "sum")])
    )
    return list(zip(lines["id"].to_pylist(), lines["billed_sum"].to_pylist(), strict=True))


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
