"""Trends and anomalies: visible where configured, and the ground truth matches the data."""

from __future__ import annotations

import csv
import json

import pytest

from support.data import make_dataset, read


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    """A 12-month enterprise run with seasonality, a spike month and random anomalies."""
    root = tmp_path_factory.mktemp("year")
    from focusgen import generate, load_scenario

    out = root / "year"
    scenario = load_scenario(
        {
            "providers": "aws,azure",
            "profile": "enterprise",
            "rows": 150_000,
            "months": 12,
            "start": "2025-01",
            "granularity": "daily",
            "seed": 11,
            "trends": [
                {"kind": "weekly", "amplitude": 0.3},
                {"kind": "annual", "amplitude": 0.5, "peak_months": [11, 12]},
            ],
            "anomalies": {"rate": 0.6},
            "output": {"path": str(out)},
        }
    )
    generate(scenario)
    return out


def _in_scope(record: dict) -> str:
    ids = ", ".join("'" + r.replace("'", "''") + "'" for r in record["resource_ids"])
    clause = f"ResourceId IN ({ids})"
    for part in record["scope"].split(";"):
        key, _, value = part.partition("=")
        if key == "service":
            clause += f" AND ServiceName = '{value}'"
    if record["kind"] == "egress-surge":
        # The surge moves priced data transfer, not the other meters of the same resources.
        clause += " AND ConsumedUnit IN ('GB', 'GiB') AND ListUnitPrice > 0"
    return clause


def test_weekends_are_cheaper_than_weekdays(year):
    rows = read(year).rows("""
        SELECT isodow(ChargePeriodStart) >= 6 AS weekend, avg(daily) FROM (
          SELECT ChargePeriodStart, sum(EffectiveCost) AS daily FROM t
          WHERE ChargeCategory = 'Usage' AND PricingCategory <> 'Committed'
          GROUP BY 1) GROUP BY 1 ORDER BY 1""")
    weekday, weekend = rows[0][1], rows[1][1]
    assert weekend < 0.85 * weekday


def test_annual_peak_months_stand_out(year):
    monthly = dict(
        read(year).rows("""
        SELECT month(BillingPeriodStart), sum(EffectiveCost) / count(DISTINCT ChargePeriodStart)
        FROM t WHERE ChargeCategory = 'Usage' AND PricingCategory <> 'Committed'
        GROUP BY 1""")
    )
    assert monthly[11] > 1.2 * monthly[10] and monthly[12] > 1.2 * monthly[9]


def test_ground_truth_files_agree_and_anomalies_are_visible(year):
    records = json.loads((year / "ground_truth" / "anomalies.json").read_text())
    with open(year / "ground_truth" / "anomalies.csv", newline="") as handle:
        table = list(csv.DictReader(handle))
    assert [r["id"] for r in records] == [r["id"] for r in table]
    assert len(records) >= 3
    data = read(year)
    for record in records:
        where = _in_scope(record)
        start, end = record["start"], record["end"]
        # Per line item (account, resource, price) active both inside and around the window,
        # its average cost per charge period: resources starting or ending elsewhere do not
        # blur the comparison.
        # Idle resources keep their provisioned cost; their metered usage is what drops.
        idle = record["kind"] == "idle-resources"
        daily = data.rows(f"""
            WITH rows AS (
                SELECT ChargePeriodStart >= TIMESTAMPTZ '{start}' AND ChargePeriodStart <
                       TIMESTAMPTZ '{end}' AS inside,
                       SubAccountId || '|' || coalesce(ResourceId, '') || '|' ||
                       coalesce(SkuPriceId, '') || '|' || coalesce(RegionId, '') AS line,
                       EffectiveCost, BilledCost
                FROM t WHERE ChargeCategory = 'Usage' AND {where}
                  -- the fortnight around the window: seasonality moves the year's average
                  AND ChargePeriodStart >= TIMESTAMPTZ '{start}' - INTERVAL 7 DAY
                  AND ChargePeriodStart < TIMESTAMPTZ '{end}' + INTERVAL 7 DAY),
            per AS (SELECT inside, line, avg(EffectiveCost) AS a, sum(BilledCost) AS b,
                           coalesce(stddev_pop(EffectiveCost) / nullif(avg(EffectiveCost), 0), 0)
                           AS cv
                    FROM rows GROUP BY ALL),
            both_windows AS (SELECT line FROM per GROUP BY line HAVING count(*) = 2),
            -- Provisioned lines (steady around the window, weekly trend aside) show the
            -- anomaly factor itself; metered lines add one noisy draw per period.
            steady AS (SELECT line FROM per WHERE NOT inside AND a > 0 AND cv < 0.25
                       AND line IN (SELECT line FROM both_windows)),
            chosen AS (SELECT line FROM steady WHERE {not idle} UNION ALL
                       SELECT line FROM both_windows
                       WHERE ({idle} AND line NOT IN (SELECT line FROM steady))
                          OR NOT EXISTS (SELECT 1 FROM steady))
            SELECT inside, sum(a) FILTER (WHERE line IN (SELECT line FROM chosen)), sum(b),
                   sum(a), (SELECT count(*) FROM steady) + (SELECT count(*) FROM chosen) // 3
            FROM per GROUP BY inside""")
        by_window = {row[0]: row[1:] for row in daily}
        by_window = {k: (v[0] or 0.0, v[1], v[2], v[3]) for k, v in by_window.items()}
        # One noisy metered line cannot show a short spike reliably (a day's lognormal draw can
        # hide it): such a scope must only rise above its fortnight; steadier ones by half again.
        clear = by_window[True][3] > 0
        kind = record["kind"]
        if kind == "new-service":
            before = data.count(
                f"ChargeCategory = 'Usage' AND {where} AND "
                f"ChargePeriodStart < TIMESTAMPTZ '{start}'"
            )
            assert before == 0 and by_window[True][2] > 0, record["id"]
            continue
        inside, outside = by_window[True][0], by_window.get(False, (0.0, 0.0))[0]
        if kind in ("spike", "runaway-resource", "egress-surge"):
            assert inside > (1.5 if clear else 1.0) * outside, record
        elif kind in ("drop", "idle-resources"):
            assert inside < 0.6 * outside, record
        elif kind == "commitment-expiry":
            assert by_window[True][1] > 0, record
        assert record["expected_extra_cost"] != 0 or kind == "commitment-expiry"


def test_spike_trend_and_explicit_anomaly(tmp_path):
    out = make_dataset(
        tmp_path,
        providers="gcp",
        rows=40_000,
        months=3,
        start="2026-01",
        trend="spike",
        trend_params={"spike_month": "2026-02", "spike_multiplier": 3.0},
    )
    monthly = dict(
        read(out).rows("""
        SELECT month(BillingPeriodStart), sum(ConsumedQuantity) / count(DISTINCT ChargePeriodStart)
        FROM t WHERE ChargeCategory = 'Usage' AND PricingCategory <> 'Committed' GROUP BY 1""")
    )
    assert monthly[2] > 2.0 * monthly[1] and monthly[2] > 2.0 * monthly[3]


def test_explicit_anomaly_list_is_honoured(tmp_path):
    from focusgen import generate, load_scenario

    scenario = load_scenario(
        {
            "providers": "aws",
            "rows": 30_000,
            "months": 2,
            "start": "2026-03",
            "seed": 4,
            "anomalies": [
                {
                    "kind": "spike",
                    "start": "2026-03-20",
                    "end": "2026-03-23",
                    "magnitude": 5,
                    "scope": {"category": "Storage"},
                }
            ],
            "output": {"path": str(tmp_path / "o")},
        }
    )
    generate(scenario)
    records = json.loads((tmp_path / "o" / "ground_truth" / "anomalies.json").read_text())
    assert [(r["kind"], r["start"], r["end"]) for r in records] == [
        ("spike", "2026-03-20T00:00:00Z", "2026-03-23T00:00:00Z")
    ]
    assert records[0]["expected_extra_cost"] > 0


def test_named_trend_presets_and_bad_trends():
    from focusgen import ScenarioError, load_scenario

    assert [t.kind for t in load_scenario({"trend": "seasonal"}).all_trends] == ["weekly", "annual"]
    assert (
        load_scenario({"trend": "linear", "trend_params": {"growth_rate": 0.1}}).all_trends[0].rate
        == 0.1
    )
    with pytest.raises(ScenarioError, match="trend"):
        load_scenario({"trend": "zigzag"})
    with pytest.raises(ScenarioError, match="magnitude"):
        load_scenario({"anomalies": [{"kind": "spike", "start": "2026-01-02", "magnitude": -1}]})


def test_economics_truth_matches_the_data(tmp_path):
    out = make_dataset(tmp_path, providers="aws", rows=30_000, months=2, profile="enterprise")
    truth = json.loads((out / "ground_truth" / "economics.json").read_text())
    data = read(out)
    for key, values in truth.items():
        month = key.split("/")[1]
        used, unused = data.rows(f"""
            SELECT sum(EffectiveCost) FILTER (WHERE CommitmentDiscountStatus = 'Used'),
                   sum(EffectiveCost) FILTER (WHERE CommitmentDiscountStatus = 'Unused')
            FROM t WHERE strftime(BillingPeriodStart, '%Y-%m') = '{month}'""")[0]
        assert values["commitment_utilisation"] == pytest.approx(used / (used + unused), rel=1e-4)
        # The enterprise profile targets 92% utilisation and 65% coverage.
        assert abs(values["commitment_utilisation"] - 0.92) < 0.05
        assert 0.45 < values["commitment_coverage"] < 0.85
        assert 0 < values["effective_savings_rate"] < 0.6
        assert 0.6 < values["tag_coverage_by_spend"] <= 1
