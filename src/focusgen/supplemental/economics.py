"""Truth summary of a run's economics, for checking a dashboard's numbers against."""

from __future__ import annotations

import json
from collections import defaultdict

from focusgen.supplemental import ExtraOutput


def _ratio(part: float, whole: float) -> float | None:
    return round(part / whole, 6) if whole else None


def economics(totals) -> dict:
    """Monthly totals per provider and category, commitment coverage and utilisation,
    effective savings rate and tag coverage by spend, per provider and month."""
    monthly: dict = defaultdict(
        lambda: defaultdict(lambda: {"BilledCost": 0.0, "EffectiveCost": 0.0, "ListCost": 0.0})
    )
    stats: dict = defaultdict(lambda: defaultdict(float))
    for (provider, month, category, charge, status, tagged, resource), values in sorted(
        totals.economics.items()
    ):
        listed, effective, billed = values
        cell = monthly[f"{provider}/{month}"][category]
        cell["BilledCost"] += billed
        cell["EffectiveCost"] += effective
        cell["ListCost"] += listed
        s = stats[f"{provider}/{month}"]
        if charge == "Usage":
            s["usage_list"] += listed
            s["usage_effective"] += effective
            if status == "Used":
                s["used"] += effective
                s["covered_list"] += listed
            elif status == "Unused":
                s["unused"] += effective
            elif category == "Compute":
                s["compute_on_demand_list"] += listed
            if resource and status != "Unused":
                s["resource_spend"] += effective
                if tagged:
                    s["tagged_spend"] += effective
    out = {}
    for key in sorted(stats):
        s = stats[key]
        out[key] = {
            "by_service_category": {
                c: {m: round(v, 4) for m, v in d.items()} for c, d in sorted(monthly[key].items())
            },
            "commitment_utilisation": _ratio(s["used"], s["used"] + s["unused"]),
            "commitment_coverage": _ratio(
                s["covered_list"], s["covered_list"] + s["compute_on_demand_list"]
            ),
            "effective_savings_rate": _ratio(
                s["usage_list"] - s["usage_effective"], s["usage_list"]
            ),
            "tag_coverage_by_spend": _ratio(s["tagged_spend"], s["resource_spend"]),
        }
    return out


def economics_outputs(totals) -> list[ExtraOutput]:
    """``ground_truth/economics.json``."""
    if totals is None:
        return []
    text = json.dumps(economics(totals), indent=2, sort_keys=True) + "\n"
    return [ExtraOutput("ground_truth/economics.json", text=text)]
