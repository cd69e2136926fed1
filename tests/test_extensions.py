"""Provider extension columns: present per provider, consistent with the FOCUS columns."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from focusgen.providers.extensions import (
    azure_unit_of_measure,
    extension_fields,
    gcp_labels,
    usage_prefix,
)
from support.cli import invoke
from support.data import make_dataset, read


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    root = tmp_path_factory.mktemp("ext")
    return make_dataset(
        root,
        providers="aws,azure,gcp,oci",
        rows=24_000,
        months=2,
        focus_version="1.2",
        settings={"credit_share": 0.8},
    )


def provider_data(folder, provider):
    return read(folder / provider)


@pytest.mark.parametrize("provider", ["aws", "azure", "gcp", "oci"])
def test_each_provider_carries_its_extension_columns_after_the_focus_columns(dataset, provider):
    schema = pq.read_schema(sorted((dataset / provider).rglob("*.parquet"))[0])
    names = [f.name for f in extension_fields(provider)]
    assert schema.names[-len(names) :] == names
    assert all(n.startswith("x_") for n in names)
    data = provider_data(dataset, provider)
    for name in names:
        assert data.count(f'"{name}" IS NOT NULL') > 0, name


def test_aws_usage_type_operation_and_service_code_agree_with_focus_columns(dataset):
    data = provider_data(dataset, "aws")
    # One product code per service; every usage row of a catalog SKU has usage type and operation.
    assert data.rows(
        "SELECT max(n) FROM (SELECT count(DISTINCT x_ServiceCode) n FROM t GROUP BY ServiceName)"
    ) == [(1,)]
    rows = data.rows(
        "SELECT RegionId, x_UsageType FROM t WHERE ChargeCategory = 'Usage' "
        "AND x_UsageType IS NOT NULL AND RegionId IS NOT NULL"
    )
    assert len(rows) > 1000
    assert all(usage.startswith(usage_prefix(region)) for region, usage in rows)
    assert {r for r, _ in rows} - {"us-east-1"}, "expect regions with a prefix"
    # Route 53 line items carry no operation in CUR (see the catalog test)
    no_operation = (
        "ChargeCategory = 'Usage' AND SkuId IS NOT NULL AND x_Operation IS NULL "
        "AND ServiceName <> 'Amazon Route 53'"
    )
    assert data.count(no_operation) < (0.05 * data.count("ChargeCategory = 'Usage'"))
    assert data.count("ChargeCategory = 'Tax' AND x_UsageType IS NOT NULL") == 0


def test_aws_discounts_are_the_negotiated_discount(dataset):
    data = provider_data(dataset, "aws")
    rows = data.rows(
        "SELECT x_Discounts, ContractedCost - ListCost FROM t WHERE x_Discounts IS NOT NULL"
    )
    assert rows
    for text, discount in rows:
        assert json.loads(text)["total_discount"] == pytest.approx(discount, abs=1e-9)
    assert data.count("x_Discounts IS NULL AND ContractedCost < ListCost - 1e-9") == 0


def test_aws_cost_categories_follow_the_resource(dataset):
    data = provider_data(dataset, "aws")
    assert data.rows(
        "SELECT max(n) FROM (SELECT count(DISTINCT x_CostCategories) n FROM t "
        "WHERE ResourceId IS NOT NULL GROUP BY ResourceId)"
    ) == [(1,)]


def test_azure_usd_costs_block_sizes_and_resource_groups(dataset):
    data = provider_data(dataset, "azure")
    assert data.count("abs(x_BilledCostInUsd * x_BillingExchangeRate - BilledCost) > 1e-6") == 0
    assert data.count("abs(x_EffectiveCostInUsd - PricingCurrencyEffectiveCost) > 1e-6") == 0
    assert (
        data.count(
            "ChargeCategory = 'Usage' AND PricingQuantity > 0 AND "
            "abs(ConsumedQuantity / PricingQuantity - x_PricingBlockSize) "
            "> 1e-6 * x_PricingBlockSize"
        )
        == 0
    )
    rows = data.rows(
        "SELECT ResourceId, x_ResourceGroupName, x_ResourceType FROM t "
        "WHERE x_ResourceGroupName IS NOT NULL"
    )
    assert rows
    for rid, group, arm_type in rows:
        assert f"/resourcegroups/{group}/" in rid and f"/providers/{arm_type}/" in rid
    assert data.rows(
        "SELECT max(n) FROM (SELECT count(DISTINCT x_SkuMeterCategory) n FROM t "
        "GROUP BY ServiceName)"
    ) == [(1,)]


def test_gcp_project_labels_location_credits_and_export_time(dataset):
    data = provider_data(dataset, "gcp")
    for project, sub_id, sub_name in data.rows(
        "SELECT DISTINCT x_Project, SubAccountId, SubAccountName FROM t"
    ):
        parsed = json.loads(project)
        assert parsed["Id"] == sub_id and parsed["Name"] == sub_name
        assert len(parsed["Number"]) == 12 and parsed["Number"].isdigit()
    for labels, tags in data.rows("SELECT DISTINCT x_Labels, Tags FROM t WHERE Tags IS NOT NULL"):
        assert {d["Key"]: d["Value"] for d in json.loads(labels)} == json.loads(tags)
    assert data.count("(x_Labels IS NULL) <> (Tags IS NULL)") == 0  # labels iff tags
    assert data.count("x_Location IS DISTINCT FROM RegionId") == 0
    assert data.count("x_ExportTime <= ChargePeriodEnd") == 0
    # Credit rows (SLA credits, reversals) list themselves.
    for text, billed in data.rows(
        "SELECT x_Credits, BilledCost FROM t WHERE ChargeCategory = 'Credit'"
    ):
        assert json.loads(text)[0]["Amount"] == pytest.approx(billed)
    # Promotional credits are folded into usage rows: BilledCost is net of the listed credit,
    # which is 30% of the gross charge; no separate promotional Credit rows.
    folded = data.rows(
        "SELECT x_Credits, BilledCost, EffectiveCost FROM t "
        "WHERE ChargeCategory = 'Usage' AND x_Credits <> '[]'"
    )
    assert len(folded) > 100
    for text, billed, effective in folded:
        (credit,) = json.loads(text)
        gross = billed - credit["Amount"]
        assert credit["Amount"] == pytest.approx(-0.3 * gross, rel=1e-6, abs=1e-9)
        assert effective == pytest.approx(billed)
    assert data.count("ChargeCategory = 'Credit' AND ChargeClass IS NULL AND "
                      "ChargeDescription = 'Promotional credit'") == 0  # fmt: skip
    assert data.count("ChargeCategory NOT IN ('Credit', 'Usage') AND x_Credits <> '[]'") == 0
    assert data.rows("SELECT DISTINCT x_CostType FROM t WHERE ChargeCategory = 'Tax'") == [("tax",)]


def test_oci_compartments_are_stable_per_resource(dataset):
    data = provider_data(dataset, "oci")
    assert data.rows(
        "SELECT max(n) FROM (SELECT count(DISTINCT x_CompartmentId) n FROM t "
        "WHERE ResourceId IS NOT NULL GROUP BY ResourceId)"
    ) == [(1,)]
    assert data.rows(
        "SELECT count(DISTINCT x_CompartmentName) = count(DISTINCT x_CompartmentId) FROM t"
    ) == [(True,)]


def test_no_extensions_leaves_only_focus_columns(tmp_path):
    out = tmp_path / "plain"
    result = invoke(
        "generate", "--providers", "gcp", "--rows", "2000", "--no-extensions", "--quiet",
        "--output", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    schema = pq.read_schema(sorted(out.rglob("*.parquet"))[0])
    assert not [n for n in schema.names if n.startswith("x_")]


@pytest.mark.parametrize(
    ("unit", "block", "expected"),
    [("Hours", 1, "1 Hour"), ("10000 Requests", 1, "10K"), ("GB-Months", 1, "1 GB/Month"),
     ("1000000 Request Units", 1e6, "1M"), ("Hours", 100, "100 Hours"),
     # Microsoft's distinct units (PricingUnits.csv: UnitOfMeasure -> DistinctUnits, block size)
     ("GB/Month", 1, "1 GB/Month"), ("Units/Month", 1, "1/Month"), ("Units/Hour", 1, "1/Hour"),
     ("Units", 1, "1"), ("Units", 10000, "10K"), ("Units", 1e6, "1M"), ("Units", 100, "100"),
     ("Units/Month", 10000, "10K/Month"), ("GB/Hour", 1, "1 GB/Hour")],
)  # fmt: skip
def test_azure_unit_of_measure_text(unit, block, expected):
    assert azure_unit_of_measure(unit, block) == expected


def test_usage_prefixes_and_labels():
    assert usage_prefix("us-east-1") == "" and usage_prefix("us-west-2") == "USW2-"
    assert usage_prefix("eu-west-1") == "EU-" and usage_prefix("ap-south-1") == "APS3-"
    labels = gcp_labels(['{"app":"a","env":"prod"}'])[0].as_py()
    assert json.loads(labels) == [{"Key": "app", "Value": "a"}, {"Key": "env", "Value": "prod"}]
