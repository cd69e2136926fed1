"""focusgen validate: own output, the real sample, spec examples, one-violation mutations."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from focusgen.validate import validate
from support.cli import invoke
from support.data import SHARED, make_dataset

PROVIDERS = ("aws", "azure", "gcp", "oci")
VERSIONS = ("1.0", "1.1", "1.2", "1.3", "1.4")


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("validate")


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("provider", PROVIDERS)
def test_own_output_has_no_findings(root, provider, version):
    fmt = "csv" if version in ("1.0", "1.2") else "parquet"
    folder = make_dataset(
        root, providers=provider, rows=4000, months=2, focus_version=version, format=fmt
    )
    report = validate(folder)
    assert report.version == version  # detected from the columns
    assert not report.findings, report.to_console()


REAL_SAMPLE = SHARED / "focus" / "sample-data" / "focus_sample_1.0.csv"
# What the real FOCUS 1.0 sample gets wrong: datetimes without T/Z, literal NULL strings, the
# unprefixed Id column, column-shifted Microsoft rows (nulls and values in the wrong columns,
# products that do not match) and a few real data defects.
SAMPLE_EXPECTED = {
    "BillingPeriodEnd-C-002-M", "BillingPeriodStart-C-002-M", "ChargePeriodEnd-C-002-M",
    "ChargePeriodStart-C-002-M", "NullHandling-A-002-M", "ColumnHandling-A-010-M",
    "BillingAccountName-C-003-C", "ChargeFrequency-C-003-M", "ConsumedQuantity-C-004-C",
    "ConsumedUnit-C-003-O", "ContractedCost-C-003-M", "ContractedCost-C-004-M",
    "ContractedUnitPrice-C-006-C", "ContractedUnitPrice-C-009-C", "ContractedUnitPrice-C-011-C",
    "FG-ChargePeriod-002", "ListCost-C-009-C", "ListUnitPrice-C-010-C", "PricingCategory-C-004-C",
    "PricingUnit-C-003-O", "RegionName-C-004-C", "RegionName-C-005-C", "ResourceType-C-004-C",
    "ResourceType-C-005-C", "SkuPriceId-C-005-C",
}  # fmt: skip
# Not expected: ServiceName-C-005-C. The sample's EC2 rows span Compute and Storage, which
# FOCUS 1.0 allowed (one ServiceCategory per ServiceName is a 1.2 requirement).


def test_one_category_per_service_name_is_a_1_2_rule(tmp_path):
    con = duckdb.connect()
    con.execute(
        f"CREATE VIEW aws AS SELECT * FROM read_csv('{REAL_SAMPLE}', all_varchar=true) "
        "WHERE ProviderName = 'AWS'"
    )
    spans = con.execute(
        "SELECT max(n) FROM "
        "(SELECT count(DISTINCT ServiceCategory) n FROM aws GROUP BY ServiceName)"
    ).fetchone()[0]
    assert spans > 1
    path = tmp_path / "aws.csv"
    con.execute(f"COPY aws TO '{path}' (HEADER)")
    assert "ServiceName-C-005-C" not in validate(path, version="1.0").rule_ids
    assert "ServiceName-C-005-C" in validate(path, version="1.2").rule_ids


def test_real_sample_reports_known_nonconformances():
    report = validate(REAL_SAMPLE)
    assert report.version == "1.0"
    assert report.rule_ids == SAMPLE_EXPECTED
    by_rule = {(f.rule, f.column): f for f in report.findings}
    assert by_rule[("ChargePeriodStart-C-002-M", "ChargePeriodStart")].failed_rows == 1000
    assert by_rule[("ColumnHandling-A-010-M", "Id")].samples == [{"columns": ["Id"]}]
    assert by_rule[("NullHandling-A-002-M", "ChargeClass")].failed_rows == 1000
    # Ids stay strings: a 13-digit BillingAccountId is not an integer, decimals are decimals.
    assert not {r for r in report.rule_ids if r.startswith(("BillingAccountId", "SubAccountId"))}


EXAMPLES = SHARED / "focus" / "examples" / "commitment_discount_scenarios"


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.csv")))
def test_spec_commitment_examples(name):
    """The spec's worked examples: partial column sets, "null" text, and one typo (hour 30)."""
    report = validate(EXAMPLES / name, version="1.2")
    rows = {f.rule for f in report.findings if not f.rule.startswith("CostAndUsage-D-")}
    expected = set()
    if "usage_scenario_1" not in name and "usage" in name:
        expected.add("NullHandling-A-002-M")  # the examples write null as the text "null"
    if name.endswith(("purchase_scenario_2.csv", "purchase_scenario_3.csv")):
        expected.add("ChargePeriodEnd-C-001-M")  # "2023-02-01T30:00:00Z" is not a date/time
    assert rows == expected, report.to_console()


@pytest.fixture(scope="module")
def base_csv(root) -> Path:
    folder = make_dataset(
        root, providers="aws", rows=3000, months=1, focus_version="1.3", format="csv",
        seed=11,
    )  # fmt: skip
    con = duckdb.connect()
    con.execute(
        f"CREATE TABLE b AS SELECT row_number() OVER () AS __rn, * FROM read_csv("
        f"'{folder}/aws/**/*.csv', all_varchar=true, header=true, hive_partitioning=false)"
    )
    out = root / "base.csv"
    con.execute(f"COPY (SELECT * EXCLUDE (__rn) FROM b ORDER BY __rn) TO '{out}' (HEADER)")
    assert not validate(out).findings
    return out


# (name, row selector, {column: new SQL value}, rule expected)
MUTATIONS = [
    ("billed_not_number", "true", {"BilledCost": "'12,50'"}, "BilledCost-C-001-M"),
    ("billed_currency_symbol", "true", {"BilledCost": "'$1.00'"}, "BilledCost-C-002-M"),
    ("billed_plus_sign", "true", {"BilledCost": "'+1.5'"}, "BilledCost-C-002-M"),
    ("billed_null", "true", {"BilledCost": "NULL"}, "BilledCost-C-003-M"),
    ("effective_null", "true", {"EffectiveCost": "NULL"}, "EffectiveCost-C-003-M"),
    ("listcost_null", "true", {"ListCost": "NULL"}, "ListCost-C-003-M"),
    ("contracted_null", "true", {"ContractedCost": "NULL"}, "ContractedCost-C-003-M"),
    ("period_no_z", "true", {"ChargePeriodStart": "'2026-01-05 00:00:00'"},
     "ChargePeriodStart-C-002-M"),
    ("period_not_date", "true", {"ChargePeriodEnd": "'yesterday'"}, "ChargePeriodEnd-C-001-M"),
    ("billing_period_null", "true", {"BillingPeriodStart": "NULL"}, "BillingPeriodStart-C-003-M"),
    ("charge_start_after_end", "ChargeCategory = 'Usage'",
     {"ChargePeriodStart": "'2026-01-31T00:00:00Z'", "ChargePeriodEnd": "'2026-01-02T00:00:00Z'"},
     "FG-ChargePeriod-001"),
    ("charge_outside_billing", "ChargeCategory = 'Usage'",
     {"ChargePeriodStart": "'2025-12-01T00:00:00Z'", "ChargePeriodEnd": "'2025-12-02T00:00:00Z'"},
     "FG-ChargePeriod-002"),
    ("billing_period_reversed", "true",
     {"BillingPeriodStart": "'2026-03-01T00:00:00Z'", "BillingPeriodEnd": "'2026-01-01T00:00:00Z'"},
     "FG-BillingPeriod-001"),
    ("currency_not_iso", "true", {"BillingCurrency": "'XYZ'"}, "BillingCurrency-C-006-M"),
    ("currency_lower", "true", {"BillingCurrency": "'usd'"}, "BillingCurrency-C-003-M"),
    ("currency_null", "true", {"BillingCurrency": "NULL"}, "BillingCurrency-C-004-M"),
    ("charge_category_bad", "true", {"ChargeCategory": "'Fee'"}, "ChargeCategory-C-003-M"),
    ("charge_category_null", "true", {"ChargeCategory": "NULL"}, "ChargeCategory-C-002-M"),
    ("frequency_bad", "true", {"ChargeFrequency": "'Monthly'"}, "ChargeFrequency-C-003-M"),
    ("purchase_usage_based", "ChargeCategory = 'Purchase'", {"ChargeFrequency": "'Usage-Based'"},
     "ChargeFrequency-C-004-C"),
    ("pricing_category_bad", "PricingCategory IS NOT NULL", {"PricingCategory": "'On-Demand'"},
     "PricingCategory-C-007-M"),
    ("service_category_bad", "true", {"ServiceCategory": "'Computing'"},
     "ServiceCategory-C-003-M"),
    ("subcategory_bad", "true", {"ServiceSubcategory": "'Spaceships'"},
     "ServiceSubcategory-C-003-M"),
    ("subcategory_wrong_parent", "ServiceCategory = 'Compute'",
     {"ServiceSubcategory": "'Object Storage'"}, "ServiceSubcategory-C-004-M"),
    ("service_two_categories", "ServiceCategory = 'Compute'", {"ServiceCategory": "'Other'",
     "ServiceSubcategory": "'Other (Other)'"}, "ServiceName-C-005-C"),
    ("status_bad", "CommitmentDiscountStatus IS NOT NULL", {"CommitmentDiscountStatus": "'Active'"},
     "CommitmentDiscountStatus-C-005-M"),
    ("status_without_commitment", "CommitmentDiscountId IS NULL",
     {"CommitmentDiscountStatus": "'Used'"}, "CommitmentDiscountStatus-C-003-C"),
    ("status_missing", "CommitmentDiscountStatus IS NOT NULL", {"CommitmentDiscountStatus": "NULL"},
     "CommitmentDiscountStatus-C-004-C"),
    ("commitment_category_bad", "CommitmentDiscountCategory IS NOT NULL",
     {"CommitmentDiscountCategory": "'Savings'"}, "CommitmentDiscountCategory-C-005-M"),
    ("commitment_category_missing", "CommitmentDiscountCategory IS NOT NULL",
     {"CommitmentDiscountCategory": "NULL"},
     "CommitmentDiscountCategory-C-004-C"),
    ("purchase_effective_nonzero",
     "ChargeCategory = 'Purchase' AND CommitmentDiscountId IS NOT NULL",
     {"EffectiveCost": "'5.0'"}, "EffectiveCost-C-005-C"),
    ("purchase_committed", "ChargeCategory = 'Purchase'", {"PricingCategory": "'Committed'"},
     "FG-CommitmentDiscount-003"),
    ("list_cost_mismatch", "ListUnitPrice IS NOT NULL AND CAST(PricingQuantity AS DOUBLE) > 1",
     {"ListCost": "CAST(CAST(ListCost AS DOUBLE) * 2 + 1 AS VARCHAR)"}, "ListCost-C-009-C"),
    ("contracted_cost_mismatch",
     "ContractedUnitPrice IS NOT NULL AND CAST(PricingQuantity AS DOUBLE) > 1",
     {"ContractedCost": "CAST(CAST(ContractedCost AS DOUBLE) * 2 + 1 AS VARCHAR)"},
     "ContractedCost-C-011-C"),
    ("negative_unit_price", "ListUnitPrice IS NOT NULL",
     {"ListUnitPrice": "'-1'"}, "ListUnitPrice-C-008-M"),
    ("tax_with_unit_price", "ChargeCategory = 'Tax'", {"ListUnitPrice": "'1.0'"},
     "ListUnitPrice-C-004-C"),
    ("usage_without_unit_price", "ChargeCategory = 'Usage' AND ListUnitPrice IS NOT NULL",
     {"ListUnitPrice": "NULL"}, "ListUnitPrice-C-005-C"),
    ("pricing_unit_without_quantity", "PricingQuantity IS NOT NULL", {"PricingUnit": "NULL"},
     "PricingUnit-C-006-C"),
    ("region_name_without_id", "RegionId IS NOT NULL", {"RegionId": "NULL"},
     "RegionName-C-004-C"),
    ("region_id_without_name", "RegionId IS NOT NULL", {"RegionName": "NULL"},
     "RegionName-C-005-C"),
    ("subaccount_name_missing", "SubAccountId IS NOT NULL", {"SubAccountName": "NULL"},
     "SubAccountName-C-005-C"),
    ("consumed_on_purchase", "ChargeCategory = 'Purchase'", {"ConsumedQuantity": "'1'"},
     "ConsumedQuantity-C-004-C"),
    ("tags_not_json", "Tags IS NOT NULL", {"Tags": "'env=prod'"}, "Tags-C-001-M"),
    ("tags_nested", "Tags IS NOT NULL", {"Tags": "'{\"env\": {\"a\": 1}}'"}, "Tags-C-001-M"),
    ("tags_array", "Tags IS NOT NULL", {"Tags": "'[\"a\", \"b\"]'"}, "Tags-C-001-M"),
    ("tags_duplicate_key", "Tags IS NOT NULL", {"Tags": "'{\"a\": \"1\", \"a\": \"2\"}'"},
     "Tags-C-001-M"),
    ("sku_details_nested", "SkuPriceDetails IS NOT NULL",
     {"SkuPriceDetails": "'{\"CoreCount\": [1, 2]}'"},
     "SkuPriceDetails-C-001-M"),
    ("contract_applied_not_object", "true", {"ContractApplied": "'[1]'"},
     "ContractApplied-C-001-M"),
    ("pricing_currency_null", "true", {"PricingCurrency": "NULL"}, "PricingCurrency-C-004-M"),
    ("literal_null_text", "ResourceName IS NOT NULL", {"ResourceName": "'N/A'"},
     "NullHandling-A-002-M"),
    ("unit_format", "PricingUnit IS NOT NULL", {"PricingUnit": "'gb per hour!'"},
     "PricingUnit-C-003-O"),
]  # fmt: skip


def _mutate(base: Path, out: Path, where: str, changes: dict[str, str], extra: str = "") -> Path:
    con = duckdb.connect()
    con.execute(
        f"CREATE TABLE b AS SELECT row_number() OVER () AS __rn, * FROM read_csv('{base}', "
        "all_varchar=true, header=true)"
    )
    target = con.execute(f"SELECT min(__rn) FROM b WHERE {where}").fetchone()[0]
    assert target is not None, f"no row matches {where}"
    repl = ", ".join(
        f'CASE WHEN __rn = {target} THEN {expr} ELSE "{col}" END AS "{col}"'
        for col, expr in changes.items()
    )
    con.execute(
        f"COPY (SELECT * EXCLUDE (__rn) REPLACE ({repl}){extra} FROM b ORDER BY __rn) "
        f"TO '{out}' (HEADER)"
    )
    return out


@pytest.mark.parametrize(
    ("name", "where", "changes", "rule"), MUTATIONS, ids=[m[0] for m in MUTATIONS]
)
def test_mutation_is_flagged(root, base_csv, name, where, changes, rule):
    out = _mutate(base_csv, root / f"m_{name}.csv", where, changes)
    report = validate(out, version="1.3")
    assert rule in report.rule_ids, report.to_console()
    hit = [f for f in report.findings if f.rule == rule]
    assert all(f.failed_rows >= 1 and f.samples for f in hit)
    # One violation: nothing unrelated fires (rules on the same columns may fire together).
    touched = set(changes)
    unrelated = [
        f.rule
        for f in report.findings
        if f.rule != rule
        and not touched & ({f.column} | {k for s in f.samples for k in s} | {f.message})
        and not any(c in f.message for c in touched)
    ]
    assert not unrelated, report.to_console()


def test_mutation_suite_is_broad():
    assert len(MUTATIONS) >= 40
    assert len({m[3] for m in MUTATIONS}) >= 35


def test_unprefixed_custom_column(root, base_csv):
    con = duckdb.connect()
    out = root / "custom.csv"
    con.execute(
        f"COPY (SELECT *, 'a' AS Cost, 'b' AS x_Fine FROM read_csv('{base_csv}', all_varchar=true))"
        f" TO '{out}' (HEADER)"
    )
    report = validate(out)
    assert report.rule_ids == {"ColumnHandling-A-010-M"}
    assert report.findings[0].samples == [{"columns": ["Cost"]}]


def test_missing_mandatory_column(root, base_csv):
    con = duckdb.connect()
    out = root / "missing.parquet"
    con.execute(
        f"COPY (SELECT * EXCLUDE (BilledCost) FROM read_csv('{base_csv}', all_varchar=true)) "
        f"TO '{out}' (FORMAT parquet)"
    )
    report = validate(out, version="1.3")
    assert "CostAndUsage-D-006-M" in report.rule_ids


def test_cli_outputs_and_exit_codes(root, base_csv):
    ok = invoke("validate", str(base_csv), "--format", "json")
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output)["errors"] == 0
    bad = _mutate(base_csv, root / "cli_bad.csv", "true", {"BilledCost": "NULL"})
    res = invoke("validate", str(bad), "--format", "junit")
    assert res.exit_code == 1
    assert "BilledCost-C-003-M" in res.output and "<failure" in res.output
    warn = _mutate(base_csv, root / "cli_warn.csv", "PricingUnit IS NOT NULL",
                   {"PricingUnit": "'gb per hour!'"})  # fmt: skip
    assert invoke("validate", str(warn)).exit_code == 0
    assert invoke("validate", str(warn), "--fail-on", "warning").exit_code == 1
    missing = invoke("validate", str(root / "nope"))
    assert missing.exit_code == 2 and "no such file" in missing.output
    assert "Traceback" not in missing.output
    wrong = invoke("validate", str(base_csv), "--version", "2.0")
    assert wrong.exit_code == 2 and "--version" in wrong.output


def test_jsonl_and_parquet_read_the_same(root, base_csv):
    con = duckdb.connect()
    jl = root / "same.jsonl"
    con.execute(
        f"COPY (SELECT * FROM read_csv('{base_csv}', all_varchar=true)) TO '{jl}' (FORMAT json)"
    )
    assert validate(jl).findings == []


def test_invoice_detail_reconciles_with_cost_and_usage(root):
    """1.4: InvoiceDetail ↔ Cost and Usage sums per invoice, and the dataset's own column rules."""
    folder = root / "invoices"
    folder.mkdir()
    cu = make_dataset(root, providers="aws", rows=1500, months=1, focus_version="1.4")
    con = duckdb.connect()
    con.execute(f"CREATE VIEW cu AS SELECT * FROM read_parquet('{cu}/aws/**/*.parquet')")
    detail = (
        "SELECT InvoiceId || '-1' AS InvoiceDetailId, InvoiceId, InvoiceIssuerName, "
        "any_value(BillingAccountId) AS BillingAccountId, any_value(BillingCurrency) AS "
        "BillingCurrency, any_value(BillingPeriodStart) AS BillingPeriodStart, "
        "any_value(BillingPeriodEnd) AS BillingPeriodEnd, 'Usage' AS ChargeCategory, "
        "{cost} AS BilledCost, 'Issued' AS InvoiceIssueStatus, 'Net 30' AS PaymentTerms, "
        "InvoiceId AS ReferenceInvoiceId, TIMESTAMPTZ '2026-02-01 00:00:00+00' AS "
        "InvoiceDetailCreated, TIMESTAMPTZ '2026-02-01 00:00:00+00' AS InvoiceDetailLastUpdated "
        "FROM cu WHERE InvoiceId IS NOT NULL AND ChargeCategory <> 'Tax' GROUP BY 1, 2, 3"
    )
    good = detail.format(cost="sum(BilledCost)")
    con.execute(f"COPY ({good}) TO '{folder}/invoice_detail.parquet' (FORMAT parquet)")
    con.execute(f"COPY (SELECT * FROM cu) TO '{folder}/cost_and_usage.parquet' (FORMAT parquet)")
    report = validate(folder, version="1.4")
    assert set(report.datasets) == {"CostAndUsage", "InvoiceDetail"}
    assert "FG-InvoiceDetail-001" not in report.rule_ids
    assert not [f for f in report.findings if f.dataset == "InvoiceDetail"
                and not f.rule.startswith("FG-InvoiceDetail-Presence")]  # fmt: skip
    bad = detail.format(cost="sum(BilledCost) + 50").replace("'Issued'", "'Paid'")
    con.execute(f"COPY ({bad}) TO '{folder}/invoice_detail.parquet' (FORMAT parquet)")
    report = validate(folder, version="1.4")
    assert {
        "FG-InvoiceDetail-001",
        "FG-InvoiceDetail-InvoiceIssueStatus-Allowed",
    } <= report.rule_ids


def _commitment_csv(path: Path, effective_per_day: float) -> Path:
    """A one-time commitment bought and used up inside the data (5 days at 2.00 per day)."""
    header = (
        "BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,"
        "BilledCost,EffectiveCost,CommitmentDiscountId,CommitmentDiscountStatus"
    )
    bp = "2026-01-01T00:00:00Z,2026-02-01T00:00:00Z"
    lines = [header, f"{bp},2026-01-01T00:00:00Z,2026-01-02T00:00:00Z,Usage,1.0,1.0,,"]
    lines.append(f"{bp},2026-01-05T00:00:00Z,2026-01-06T00:00:00Z,Purchase,10.0,0.0,cd-1,")
    for day in range(5, 10):
        lines.append(
            f"{bp},2026-01-{day:02d}T00:00:00Z,2026-01-{day + 1:02d}T00:00:00Z,Usage,0.0,"
            f"{effective_per_day},cd-1,Used"
        )
    lines.append(f"{bp},2026-01-30T00:00:00Z,2026-01-31T00:00:00Z,Usage,1.0,1.0,,")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_commitment_amortization_sum(root):
    good = validate(_commitment_csv(root / "cd_good.csv", 2.0), version="1.2")
    assert "FG-CommitmentDiscount-001" not in good.rule_ids
    bad = validate(_commitment_csv(root / "cd_bad.csv", 3.0), version="1.2")
    found = [f for f in bad.findings if f.rule == "FG-CommitmentDiscount-001"]
    assert found and found[0].samples[0]["CommitmentDiscountId"] == "cd-1"
    assert found[0].samples[0]["usage_effective"] == 15.0


# --- FOCUS 1.4 rules the 1.3 model cannot know: one violation at a time on focusgen's 1.4 output.

DATASET_FILES = {
    "CostAndUsage": "cost_and_usage.csv",
    "BillingPeriod": "billing_period.csv",
    "InvoiceDetail": "invoice_detail.csv",
    "ContractCommitment": "contract_commitment.csv",
}


@pytest.fixture(scope="module")
def base14(root) -> Path:
    """focusgen's 1.4 output (Cost and Usage plus its three supplemental datasets) as four CSVs."""
    folder = make_dataset(
        root, providers="aws,azure", rows=3000, months=2, focus_version="1.4", format="csv",
        profile="enterprise", seed=11,
    )  # fmt: skip
    out = root / "base14"
    out.mkdir()
    con = duckdb.connect()
    sources = {
        "CostAndUsage": [f"{folder}/{p}/**/*.csv" for p in ("aws", "azure")],
        **{d: [f"{folder}/supplemental/{d}/*.csv"] for d in DATASET_FILES if d != "CostAndUsage"},
    }
    for dataset, globs in sources.items():
        con.execute(
            f"COPY (SELECT * FROM read_csv({globs}, all_varchar=true, header=true, "
            f"union_by_name=true, hive_partitioning=false)) TO '{out / DATASET_FILES[dataset]}' "
            "(HEADER)"
        )
    report = validate(out, version="1.4")
    assert set(report.datasets) == set(DATASET_FILES)
    assert not report.findings, report.to_console()
    return out


def _mutate14(base: Path, out: Path, dataset: str, where: str, changes: dict[str, str]) -> Path:
    out.mkdir(exist_ok=True)
    for name in DATASET_FILES.values():
        (out / name).write_bytes((base / name).read_bytes())
    _mutate(base / DATASET_FILES[dataset], out / DATASET_FILES[dataset], where, changes)
    return out


def _elements(*items: str) -> str:
    return '\'{"Elements":[' + ",".join(items) + "]}'"


CA_IDS = '"ContractId":"c-1","ContractCommitmentId":"cc-1"'
CC = "ContractCommitment"
UPFRONT = "ContractCommitmentPaymentUpfrontPercentage"
PCPE = "CommitmentProgramEligibilityDetails"
# (name, dataset, row selector, {column: new SQL value}, rule expected)
MUTATIONS_14 = [
    ("bp_updated_before_created", "BillingPeriod", "true",
     {"BillingPeriodLastUpdated": "'2020-01-01T00:00:00Z'"},
     "FG-BillingPeriod-BillingPeriodLastUpdated-001"),
    ("bp_empty_period", "BillingPeriod", "true", {"BillingPeriodEnd": "BillingPeriodStart"},
     "FG-BillingPeriod-BillingPeriodEnd-001"),
    ("bp_two_rows_one_period", "BillingPeriod", "BillingPeriodStatus = 'Open'",
     {"BillingPeriodStart": "(SELECT min(BillingPeriodStart) FROM b)",
      "BillingPeriodEnd": "(SELECT min(BillingPeriodEnd) FROM b)"},
     "FG-BillingPeriod-BillingPeriodStart-001"),
    ("id_updated_before_created", "InvoiceDetail", "true",
     {"InvoiceDetailLastUpdated": "'2020-01-01T00:00:00Z'"},
     "FG-InvoiceDetail-InvoiceDetailLastUpdated-001"),
    ("id_grain_nested", "InvoiceDetail", "InvoiceDetailGrain IS NOT NULL",
     {"InvoiceDetailGrain": "'{\"ServiceName\": {\"a\": 1}}'"},
     "FG-InvoiceDetail-InvoiceDetailGrain-001"),
    ("id_grain_unknown_key", "InvoiceDetail", "InvoiceDetailGrain IS NOT NULL",
     {"InvoiceDetailGrain": "'{\"Service\": \"EC2\", \"x_Mode\": \"a\"}'"},
     "FG-InvoiceDetail-InvoiceDetailGrain-002"),
    ("id_payment_currency_null", "InvoiceDetail", "true", {"PaymentCurrency": "NULL"},
     "FG-InvoiceDetail-PaymentCurrency-NotNull"),
    ("id_payment_currency_virtual", "InvoiceDetail", "true", {"PaymentCurrency": "'CREDITS'"},
     "FG-InvoiceDetail-PaymentCurrency-001"),
    ("id_payment_billed_null", "InvoiceDetail", "true", {"PaymentCurrencyBilledCost": "NULL"},
     "FG-InvoiceDetail-PaymentCurrencyBilledCost-NotNull"),
    ("id_payment_detail_null", "InvoiceDetail", "true", {"PaymentCurrencyInvoiceDetailId": "NULL"},
     "FG-InvoiceDetail-PaymentCurrencyInvoiceDetailId-NotNull"),
    ("id_payment_detail_elsewhere", "InvoiceDetail",
     "CAST(PaymentCurrencyBilledCost AS DOUBLE) <> 0",
     {"PaymentCurrencyInvoiceDetailId": "'another-line'"},
     "FG-InvoiceDetail-PaymentCurrencyInvoiceDetailId-001"),
    ("cc_updated_before_created", CC, "true",
     {"ContractCommitmentLastUpdated": "'2020-01-01T00:00:00Z'"},
     "FG-ContractCommitment-ContractCommitmentLastUpdated-001"),
    ("cc_discount_missing", CC, "ContractCommitmentBenefitCategory = 'Discount'",
     {"ContractCommitmentDiscountPercentage": "NULL"},
     "CCT-ContractCommitmentDiscountPercentage-C-004-C"),
    ("cc_discount_on_availability", CC, "ContractCommitmentDiscountPercentage IS NOT NULL",
     {"ContractCommitmentBenefitCategory": "'Availability'"},
     "CCT-ContractCommitmentDiscountPercentage-C-005-C"),
    ("cc_discount_above_one", CC, "true", {"ContractCommitmentDiscountPercentage": "'1.5'"},
     "CCT-ContractCommitmentDiscountPercentage-C-006-M"),
    ("cc_upfront_null", CC, "true", {UPFRONT: "NULL"},
     f"FG-ContractCommitment-{UPFRONT}-NotNull"),
    ("cc_upfront_above_one", CC, "ContractCommitmentPaymentModel = 'Partial Upfront'",
     {UPFRONT: "'1.5'"}, f"FG-ContractCommitment-{UPFRONT}-001"),
    ("cc_all_upfront_not_one", CC, "ContractCommitmentPaymentModel = 'No Upfront'",
     {"ContractCommitmentPaymentModel": "'All Upfront'",
      "ContractCommitmentPaymentInterval": "'One-Time'"},
     f"FG-ContractCommitment-{UPFRONT}-002"),
    ("cc_no_upfront_not_zero", CC, "ContractCommitmentPaymentModel = 'No Upfront'",
     {UPFRONT: "'0.5'"}, f"FG-ContractCommitment-{UPFRONT}-003"),
    ("cc_partial_upfront_all", CC, "ContractCommitmentPaymentModel = 'Partial Upfront'",
     {UPFRONT: "'1.0'"}, f"FG-ContractCommitment-{UPFRONT}-004"),
    ("cc_all_upfront_monthly", CC, "ContractCommitmentPaymentModel = 'No Upfront'",
     {"ContractCommitmentPaymentModel": "'All Upfront'", UPFRONT: "'1.0'",
      "ContractCommitmentPaymentInterval": "'Monthly'"},
     "FG-ContractCommitment-ContractCommitmentPaymentInterval-001"),
    ("cc_full_period_continuous", CC, "ContractCommitmentModel = 'Continuous'",
     {"ContractCommitmentFulfillmentInterval": "'Full Commitment Period'"},
     "FG-ContractCommitment-ContractCommitmentFulfillmentInterval-001"),
    ("cc_lifecycle_bad", CC, "true", {"ContractCommitmentLifecycleStatus": "'Retired'"},
     "FG-ContractCommitment-ContractCommitmentLifecycleStatus-Allowed"),
    ("cc_duration_free_text", CC, "true", {"ContractCommitmentDurationType": "'three years'"},
     "FG-ContractCommitment-ContractCommitmentDurationType-001"),
    ("cc_term_reversed", CC, "true",
     {"ContractCommitmentPeriodEnd": "ContractCommitmentPeriodStart"},
     "FG-ContractCommitment-ContractCommitmentPeriodEnd-001"),
    ("cc_contract_reversed", CC, "true", {"ContractPeriodEnd": "ContractPeriodStart"},
     "FG-ContractCommitment-ContractPeriodEnd-001"),
    ("cc_pricing_currency_virtual", CC, "true", {"PricingCurrency": "'CREDITS'"},
     "FG-ContractCommitment-PricingCurrency-001"),
    ("cc_pricing_cost_missing", CC, "ContractCommitmentCategory = 'Spend'",
     {"PricingCurrencyContractCommitmentCost": "NULL"},
     "FG-ContractCommitment-PricingCurrencyContractCommitmentCost-001"),
    ("ca_no_elements", "CostAndUsage", "ContractApplied IS NOT NULL",
     {"ContractApplied": _elements()}, "FG-CostAndUsage-ContractApplied-001"),
    ("ca_no_contract_id", "CostAndUsage", "ContractApplied IS NOT NULL",
     {"ContractApplied": _elements('{"ContractCommitmentId":"cc-1",'
                                   '"ContractCommitmentAppliedCost":1}')},
     "FG-CostAndUsage-ContractApplied-002"),
    ("ca_no_metric", "CostAndUsage", "ContractApplied IS NOT NULL",
     {"ContractApplied": _elements("{" + CA_IDS + "}")}, "FG-CostAndUsage-ContractApplied-003"),
    ("ca_quantity_without_unit", "CostAndUsage", "ContractApplied IS NOT NULL",
     {"ContractApplied": _elements("{" + CA_IDS + ',"ContractCommitmentAppliedQuantity":2}')},
     "FG-CostAndUsage-ContractApplied-004"),
    ("ca_top_level_key", "CostAndUsage", "ContractApplied IS NOT NULL",
     {"ContractApplied": "'{\"Elements\":[{" + CA_IDS
      + ",\"ContractCommitmentAppliedCost\":1}],\"Notes\":\"a\"}'"},
     "FG-CostAndUsage-ContractApplied-005"),
    ("ca_custom_key_not_pascal", "CostAndUsage", "ContractApplied IS NOT NULL",
     {"ContractApplied": _elements("{" + CA_IDS + ',"ContractCommitmentAppliedCost":1,'
                                   '"x_note":"a"}')},
     "FG-CostAndUsage-ContractApplied-006"),
    ("amd_no_elements", "CostAndUsage", "true", {"AllocatedMethodDetails": _elements()},
     "FG-CostAndUsage-AllocatedMethodDetails-001"),
    ("amd_no_ratio", "CostAndUsage", "true",
     {"AllocatedMethodDetails": _elements('{"UsageUnit":"CPU"}')},
     "FG-CostAndUsage-AllocatedMethodDetails-002"),
    ("amd_ratio_above_one", "CostAndUsage", "true",
     {"AllocatedMethodDetails": _elements('{"AllocatedRatio":1.5}')},
     "FG-CostAndUsage-AllocatedMethodDetails-003"),
    ("amd_quantity_without_unit", "CostAndUsage", "true",
     {"AllocatedMethodDetails": _elements('{"AllocatedRatio":0.5,"UsageQuantity":2}')},
     "FG-CostAndUsage-AllocatedMethodDetails-004"),
    ("amd_top_level_key", "CostAndUsage", "true",
     {"AllocatedMethodDetails": "'{\"Elements\":[{\"AllocatedRatio\":0.5}],\"Method\":\"a\"}'"},
     "FG-CostAndUsage-AllocatedMethodDetails-005"),
    ("amd_custom_key_not_pascal", "CostAndUsage", "true",
     {"AllocatedMethodDetails": _elements('{"AllocatedRatio":0.5,"x_cpu":1}')},
     "FG-CostAndUsage-AllocatedMethodDetails-006"),
    ("cpe_no_programs", "CostAndUsage", f"{PCPE} IS NOT NULL", {PCPE: "'{}'"},
     "CommitmentProgramEligibilityDetailsObject-O-001-M"),
    ("cpe_top_level_key", "CostAndUsage", f"{PCPE} IS NOT NULL",
     {PCPE: "'{\"CommitmentPrograms\":[{\"ProgramType\":\"Savings Plan\"}],\"Extra\":1}'"},
     "CommitmentProgramEligibilityDetailsObject-O-003-C"),
    ("cpe_empty_programs", "CostAndUsage", f"{PCPE} IS NOT NULL",
     {PCPE: "'{\"CommitmentPrograms\":[]}'"},
     "CommitmentProgramEligibilityDetailsObject-O-006-M"),
    ("cpe_no_program_type", "CostAndUsage",
     f"{PCPE} IS NOT NULL AND CommitmentDiscountType IS NULL",
     {PCPE: "'{\"CommitmentPrograms\":[{\"Program\":\"Savings Plan\"}]}'"},
     "CommitmentProgramEligibilityDetailsObject-O-008-M"),
    ("cpe_type_not_listed", "CostAndUsage",
     f"{PCPE} IS NOT NULL AND CommitmentDiscountType IS NOT NULL",
     {PCPE: "'{\"CommitmentPrograms\":[{\"ProgramType\":\"Something Else\"}]}'"},
     "CommitmentProgramEligibilityDetailsObject-O-014-C"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "dataset", "where", "changes", "rule"), MUTATIONS_14, ids=[m[0] for m in MUTATIONS_14]
)
def test_1_4_mutation_is_flagged(root, base14, name, dataset, where, changes, rule):
    out = _mutate14(base14, root / f"m14_{name}", dataset, where, changes)
    report = validate(out, version="1.4")
    hit = [f for f in report.findings if f.rule == rule]
    assert hit and all(f.dataset == dataset and f.failed_rows >= 1 for f in hit), (
        report.to_console()
    )
    # One violation: nothing else fires except rules on the same columns.
    touched = set(changes)
    unrelated = [
        f.rule
        for f in report.findings
        if f.rule != rule
        and not touched & ({f.column} | {k for s in f.samples for k in s})
        and not any(c in f.message for c in touched)
    ]
    assert not unrelated, report.to_console()


def test_1_4_rules_are_not_applied_to_1_3(root, base_csv):
    report = validate(base_csv, version="1.3")
    assert not [r for r in report.rules_checked["CostAndUsage"]
                if r.startswith("FG-CostAndUsage-ContractApplied")]  # fmt: skip


def test_1_4_contract_applied_needs_no_quantity_keys(root, base14):
    """1.4's schema requires ContractId and ContractCommitmentId only: a cost-only element is
    valid there (the 1.3 model's "four keys" rule does not apply to 1.4)."""
    element = "{" + CA_IDS + ',"ContractCommitmentAppliedCost":1.5,"x_Note":"a"}'
    ok = _mutate14(
        base14, root / "m14_ca_cost_only", "CostAndUsage", "ContractApplied IS NOT NULL",
        {"ContractApplied": _elements(element)},
    )  # fmt: skip
    found = {f.rule for f in validate(ok, version="1.4").findings}
    assert found <= {"FG-ContractApplied-001"}  # cc-1 is not in the ContractCommitment dataset
    assert "ContractAppliedObject-O-007-M" in {
        f.rule for f in validate(ok / "cost_and_usage.csv", version="1.3").findings
    }
