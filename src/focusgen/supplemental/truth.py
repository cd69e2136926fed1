"""Ground truth of a run: injected anomalies and trends, as JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from focusgen.engine import kernels as pc
from focusgen.supplemental import ExtraOutput


def anomaly_records(world, scenario) -> list[dict[str, Any]]:
    """One record per injected anomaly, with its window as UTC datetimes."""
    records = []
    worlds = {pw.provider: pw for pw in world.providers}
    for effect in world.anomalies:
        pw = worlds[effect.provider]
        timeline = pw.timeline  # effects count the provider's own charge periods
        picked = pc.take(pw.resources.id, pw.lines.resource[effect.lines])
        resources = sorted(set(picked.to_pylist()))
        start_us = timeline.origin_us + effect.start * timeline.period_us
        end_us = timeline.origin_us + effect.end * timeline.period_us
        records.append(
            {
                "id": effect.id,
                "kind": effect.kind,
                "provider": effect.provider,
                "scope": effect.scope,
                "start": _iso(start_us),
                "end": _iso(end_us),
                "magnitude": effect.magnitude,
                "expected_extra_cost": round(effect.expected_extra_cost, 2),
                "currency": _currency_of(pw, effect.lines),
                "affected_lines": len(effect.lines),
                "resource_ids": resources,
            }
        )
    return records


def _currency_of(pw, lines) -> str:
    """The billing currency of the affected lines ('mixed' if they span currencies)."""
    codes = set(pw.billing_currency[pw.org.sub_billing[pw.lines.sub[lines]]].tolist())
    return codes.pop() if len(codes) == 1 else "mixed"


def _iso(micros: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(micros / 1_000_000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def truth_outputs(world, scenario) -> list[ExtraOutput]:
    """``ground_truth/anomalies.json``, ``ground_truth/anomalies.csv`` and ``trends.json``."""
    records = anomaly_records(world, scenario)
    buffer = io.StringIO()
    fields = [
        "id",
        "kind",
        "provider",
        "scope",
        "start",
        "end",
        "magnitude",
        "expected_extra_cost",
        "currency",
        "affected_lines",
    ]
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(records)
    trends = [t.model_dump() for t in scenario.all_trends]
    growth = scenario.profile_settings.monthly_growth
    return [
        ExtraOutput("ground_truth/anomalies.json", text=json.dumps(records, indent=2) + "\n"),
        ExtraOutput("ground_truth/anomalies.csv", text=buffer.getvalue()),
        ExtraOutput(
            "ground_truth/trends.json",
            text=json.dumps({"profile_monthly_growth": growth, "trends": trends}, indent=2) + "\n",
        ),
    ]
