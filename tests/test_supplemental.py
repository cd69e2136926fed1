"""FOCUS 1.3/1.4 supplemental datasets exist, are typed per the spec and reconcile."""

from __future__ import annotations

import json

import duckdb
import pyarrow.parquet as pq
import pytest

from focusgen.focus.spec import columns
from support.data import make_dataset, read


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("supp")
    return {
        v: make_dataset(
            root,
            providers="aws,azure",
            rows=20_000,
            months=3,
            focus_version=v,
            profile="enterprise",
        )
        for v in ("1.3", "1.4")
    }


@pytest.mark.parametrize("version", ["1.3", "1.4"])
def test_contract_commitments_link_from_cost_and_usage(runs, version):
    out = runs[version]
    for provider in ("aws", "azure"):
        table = pq.read_table(out / "supplemental" / "ContractCommitment" / f"{provider}.parquet")
        assert table.column_names == [c.name for c in columns(version, "ContractCommitment")]
        ids = table["ContractCommitmentId"].to_pylist()
        assert len(ids) == len(set(ids)) > 0
        data = read(out / provider)
        applied = [
            json.loads(r[0])
            for r in data.rows(
                "SELECT DISTINCT ContractApplied FROM t WHERE ContractApplied IS NOT NULL"
            )
        ]
        linked = {e["ContractCommitmentId"] for a in applied for e in a["Elements"]}
        assert linked and linked <= set(ids)
        purchases = data.rows(
            "SELECT ResourceId, ContractApplied FROM t WHERE "
            "ChargeCategory = 'Purchase' AND CommitmentDiscountId IS NOT NULL"
        )
        for resource, text in purchases:
            assert json.loads(text)["Elements"][0]["ContractCommitmentId"] == resource


def test_invoice_details_reconcile_with_cost_and_usage(runs):
    out = runs["1.4"]
    con = duckdb.connect()
    for provider in ("aws", "azure"):
        detail = out / "supplemental" / "InvoiceDetail" / f"{provider}.parquet"
        assert pq.read_schema(detail).names == [c.name for c in columns("1.4", "InvoiceDetail")]
        data = read(out / provider)
        usage = dict(data.rows("SELECT InvoiceId, sum(BilledCost) FROM t GROUP BY 1"))
        invoices = dict(
            con.execute(f"SELECT InvoiceId, sum(BilledCost) FROM '{detail}' GROUP BY 1").fetchall()
        )
        assert usage.keys() == invoices.keys()
        for invoice, total in usage.items():
            rows = data.count(f"InvoiceId = '{invoice}'")
            tolerance = max(100 * 0.01, (rows**0.5) * 0.5 * 0.01)
            assert abs(invoices[invoice] - total) <= tolerance
        lines = {r[0] for r in con.execute(f"SELECT InvoiceDetailId FROM '{detail}'").fetchall()}
        used = {r[0] for r in data.rows("SELECT DISTINCT InvoiceDetailId FROM t")}
        assert used == lines
        statuses = con.execute(f"""SELECT BillingPeriodStart, any_value(InvoiceIssueStatus)
            FROM '{detail}' GROUP BY 1 ORDER BY 1""").fetchall()
        assert [s for _, s in statuses] == ["Issued", "Issued", "Open"]


def test_billing_periods_close_except_the_last(runs):
    table = pq.read_table(runs["1.4"] / "supplemental" / "BillingPeriod" / "aws.parquet")
    assert table.column_names == [c.name for c in columns("1.4", "BillingPeriod")]
    assert table["BillingPeriodStatus"].to_pylist() == ["Closed", "Closed", "Open"]
    created, updated = table["BillingPeriodCreated"], table["BillingPeriodLastUpdated"]
    assert all(c <= u for c, u in zip(created.to_pylist(), updated.to_pylist(), strict=True))


def test_earlier_versions_have_no_supplemental_datasets(tmp_path):
    out = make_dataset(tmp_path, providers="gcp", rows=2000, months=1, focus_version="1.2")
    assert not (out / "supplemental").exists()
