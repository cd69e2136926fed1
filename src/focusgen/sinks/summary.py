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
        self.rows += table.num_rows
        small = table.select(["ChargeCategory", *METRICS])
        small = small.set_column(0, "ChargeCategory", small["ChargeCategory"].cast(pa.string()))
        grouped = small.group_by("ChargeCategory").aggregate(
            [(m, "sum") for m in METRICS] + [("ChargeCategory", "count")]
        )
        for row in grouped.to_pylist():
            category = str(row["ChargeCategory"])
            target = self.by_category[category]
            target["rows"] += row["ChargeCategory_count"]
            for m in METRICS:
                value = row[f"{m}_sum"] or 0.0
                target[m] += value
        self._add_economics(table, provider, month)
        if "InvoiceDetailId" in table.column_names:
            lines = (
                pa.table(
                    {
                        "id": table["InvoiceDetailId"].cast(pa.string()),
                        "billed": table["BilledCost"],
                    }
                )
                .group_by("id")
                .aggregate([("billed", "sum")])
            )
            ledger = self.invoice_lines[provider]
            for line_id, billed in zip(
                lines["id"].to_pylist(), lines["billed_sum"].to_pylist(), strict=True
            ):
                ledger[line_id] += billed or 0.0
        for key, bucket in ((provider, self.by_provider), (month, self.by_month)):
            bucket[key]["rows"] += table.num_rows
            for m in METRICS:
                bucket[key][m] += pc.sum(table[m]).as_py() or 0.0

    def _add_economics(self, table: pa.Table, provider: str, month: str) -> None:
        """Sums by (category, charge category, commitment status, tagged) for the truth file."""
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
        grouped = keys.group_by(["category", "charge", "status", "tagged", "resource"]).aggregate(
            [("list", "sum"), ("effective", "sum"), ("billed", "sum")]
        )
        for row in grouped.to_pylist():
            key = (
                provider,
                month,
                row["category"],
                row["charge"],
                row["status"],
                row["tagged"],
                row["resource"],
            )
            bucket = self.economics.setdefault(key, [0.0, 0.0, 0.0])
            bucket[0] += row["list_sum"] or 0.0
            bucket[1] += row["effective_sum"] or 0.0
            bucket[2] += row["billed_sum"] or 0.0

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
