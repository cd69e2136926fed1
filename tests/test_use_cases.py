"""FinOps use cases a dashboard runs return meaningful results on a default enterprise run."""

from __future__ import annotations

import duckdb
import pytest

from support.data import make_dataset, read


@pytest.fixture(scope="module")
def enterprise(tmp_path_factory):
    return make_dataset(
        tmp_path_factory.mktemp("uc"),
        providers="aws,azure,gcp,oci",
        rows=60_000,
        months=4,
        focus_version="1.4",
        profile="enterprise",
        anomalies={"rate": 1.0},
        split_allocation=True,
    )


def one(data, sql: str) -> tuple:
    rows = data.rows(sql)
    assert rows, sql
    return rows[0]


def test_effective_savings_rate(enterprise):
    (esr,) = one(
        read(enterprise),
        """SELECT 1 - sum(EffectiveCost) / sum(ListCost) FROM t
                                       WHERE ChargeCategory = 'Usage' AND ChargeClass IS NULL""",
    )
    assert 0.05 < esr < 0.6


def test_commitment_utilisation_coverage_and_unused(enterprise):
    data = read(enterprise)
    utilisation, unused = one(
        data,
        """
        SELECT sum(EffectiveCost) FILTER (WHERE CommitmentDiscountStatus = 'Used')
               / sum(EffectiveCost) FILTER (WHERE CommitmentDiscountStatus IS NOT NULL),
               sum(EffectiveCost) FILTER (WHERE CommitmentDiscountStatus = 'Unused')
        FROM t WHERE ChargeCategory = 'Usage'""",
    )
    assert 0.8 < utilisation < 1 and unused > 0
    (coverage,) = one(
        data,
        """
        SELECT sum(ListCost) FILTER (WHERE PricingCategory = 'Committed'
                                     AND CommitmentDiscountStatus = 'Used')
               / sum(ListCost) FILTER (WHERE CommitmentDiscountStatus IS DISTINCT FROM 'Unused')
        FROM t WHERE ChargeCategory = 'Usage' AND ServiceCategory = 'Compute'""",
    )
    assert 0.2 < coverage < 0.9


def test_tag_coverage_unit_economics_and_showback(enterprise):
    data = read(enterprise)
    (tagged,) = one(
        data,
        """SELECT sum(EffectiveCost) FILTER (WHERE Tags IS NOT NULL)
                             / sum(EffectiveCost) FROM t WHERE ResourceId IS NOT NULL
                             AND ChargeCategory = 'Usage'""",
    )
    assert 0.5 < tagged < 1
    per_app = data.rows("""SELECT json_extract_string(Tags, '$.application') AS app,
                                  sum(EffectiveCost) FROM t WHERE Tags IS NOT NULL
                           GROUP BY 1 HAVING app IS NOT NULL""")
    assert len(per_app) >= 5
    per_gb = one(
        data,
        """SELECT sum(EffectiveCost) / sum(ConsumedQuantity) FROM t
                          WHERE ConsumedUnit = 'GB' AND ChargeCategory = 'Usage'""",
    )[0]
    assert per_gb > 0


def test_forecasting_series_and_anomaly_days(enterprise):
    data = read(enterprise)
    daily = data.rows("""SELECT date_trunc('day', ChargePeriodStart) AS d, sum(EffectiveCost)
                         FROM t WHERE ChargeCategory = 'Usage' GROUP BY 1 ORDER BY 1""")
    assert len(daily) >= 100
    costs = [c for _, c in daily]
    mean = sum(costs) / len(costs)
    assert min(costs) > 0.2 * mean


def test_invoice_reconciliation_and_corrections(enterprise):
    data = read(enterprise)
    con = duckdb.connect()
    details = con.execute(f"""SELECT InvoiceId, sum(BilledCost) FROM
        read_parquet('{enterprise}/supplemental/InvoiceDetail/*.parquet') GROUP BY 1""").fetchall()
    usage = dict(data.rows("SELECT InvoiceId, sum(BilledCost) FROM t GROUP BY 1"))
    assert details and all(abs(usage[i] - v) < 1.0 for i, v in details)
    corrections = data.rows("""SELECT count(*), sum(BilledCost) FROM t
                               WHERE ChargeClass = 'Correction'""")[0]
    assert corrections[0] > 0 and corrections[1] < 0
