"""The catalogs speak the providers' own vocabulary, as the real FOCUS sample shows it.

The anonymised FOCUS 1.0 sample (../shared/focus/sample-data) holds real AWS, Microsoft and
Oracle rows: every ServiceName, PricingUnit, ConsumedUnit, RegionId and ResourceType found there
must be one a catalog can produce. Generated data must carry ids in each provider's format.
"""

from __future__ import annotations

import csv
import re
from functools import cache

import duckdb
import pytest

from focusgen.catalog import load_catalog
from focusgen.catalog.loader import CatalogError, check_catalog
from focusgen.focus.units import is_unit
from focusgen.providers.extensions import azure_unit_of_measure
from support.data import SHARED, make_dataset, read

SAMPLE = SHARED / "focus" / "sample-data" / "focus_sample_1.0.csv"
PRICING_UNITS = SHARED / "providers" / "azure" / "PricingUnits.csv"
PROVIDERS = {"AWS": "aws", "Microsoft": "azure", "Oracle": "oci"}

# Real units outside the FOCUS UnitFormat (a SHOULD; the official validator flags them), so the
# catalog carries a conformant spelling of the same meter instead.
NON_FOCUS_UNITS = {
    ("aws", "GiB/Second-Months"): "MiBps-Months",  # gp3 throughput: 40.96 = $0.04 x 1024
    ("aws", "Lambda-GB-Seconds"): "GB-Seconds",  # Lambda(@Edge) duration
}

pytestmark = pytest.mark.skipif(not SAMPLE.is_file(), reason="shared FOCUS sample not available")


@cache
def _sample() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(
        f"CREATE VIEW s AS SELECT * FROM read_csv('{SAMPLE}', header=true, all_varchar=true, "
        "nullstr='NULL')"
    )
    return con


def _distinct(provider_name: str, column: str) -> set[str]:
    rows = _sample().execute(
        f"SELECT DISTINCT {column} FROM s WHERE ProviderName = ? AND {column} IS NOT NULL "
        f"AND {column} <> ''",
        [provider_name],
    )
    return {r[0] for r in rows.fetchall()}


def _skus(provider: str) -> list:
    catalog = load_catalog(provider)
    return [sku for s in catalog.services for k in s.resources for sku in (*k.variants, *k.meters)]


def _units(provider: str, field: str) -> set[str]:
    return {getattr(sku, field) for sku in _skus(provider)}


def test_sample_covers_the_three_providers():
    counts = dict(_sample().execute("SELECT ProviderName, count(*) FROM s GROUP BY 1").fetchall())
    assert counts.keys() >= PROVIDERS.keys()
    assert counts["AWS"] > 900 and counts["Microsoft"] > 40 and counts["Oracle"] > 5


@pytest.mark.parametrize(("name", "provider"), PROVIDERS.items())
def test_every_sample_service_name_is_a_catalog_service(name, provider):
    services = load_catalog(provider).services
    names = {s.name for s in services} | {s.legacy_name for s in services if s.legacy_name}
    assert _distinct(name, "ServiceName") - names == set()


@pytest.mark.parametrize(("name", "provider"), PROVIDERS.items())
@pytest.mark.parametrize("column", ["PricingUnit", "ConsumedUnit"])
def test_every_sample_unit_is_produced_by_a_catalog_sku(name, provider, column):
    field = "pricing_unit" if column == "PricingUnit" else "consumed_unit"
    ours = _units(provider, field)
    missing = set()
    for unit in _distinct(name, column):
        replacement = NON_FOCUS_UNITS.get((provider, unit))
        if replacement is not None:
            assert not is_unit(unit), f"{unit!r} is a FOCUS unit now: carry it as it is"
            assert replacement in ours, (unit, replacement)
        elif unit not in ours:
            missing.add(unit)
    assert missing == set()


@pytest.mark.parametrize(("name", "provider"), PROVIDERS.items())
def test_every_sample_region_is_a_catalog_region(name, provider):
    catalog = load_catalog(provider)
    ours = {r.id for r in catalog.regions} | {catalog.global_region_id} - {None}
    # RegionId 'NULL' (read as null) on the Oracle rows is an anonymisation artefact: their
    # region id sits in RegionName ('us-sanjose-1').
    column = "RegionName" if provider == "oci" else "RegionId"
    seen = _distinct(name, column)
    assert seen, column
    assert seen - ours == set()


def test_aws_global_services_and_region_names_match_the_sample():
    catalog = load_catalog("aws")
    names = {r.id: r.name for r in catalog.regions}
    # AWS also writes other RegionNames beside a region id (CloudFront edge areas such as
    # 'Europe', 'External' for transfer): the catalog's name must be one the sample shows.
    rows = (
        _sample()
        .execute(
            "SELECT RegionId, list(DISTINCT RegionName) FROM s WHERE ProviderName = 'AWS' "
            "AND RegionName IS NOT NULL AND ServiceName <> 'Amazon CloudFront' GROUP BY 1"
        )
        .fetchall()
    )
    assert rows
    for region, seen in rows:
        assert names[region] in seen, (region, seen)
    services = {s.name: s for s in catalog.services}
    global_services = (
        _sample()
        .execute(
            "SELECT DISTINCT ServiceName FROM s WHERE ProviderName = 'AWS' AND RegionId = 'global'"
        )
        .fetchall()
    )
    assert global_services
    for (service,) in global_services:
        assert not services[service].regional, service
    assert catalog.global_region_id == "global" and catalog.global_region_name


@pytest.mark.parametrize(("name", "provider"), PROVIDERS.items())
def test_every_sample_resource_type_is_a_catalog_resource_type(name, provider):
    ours = {k.resource_type for s in load_catalog(provider).services for k in s.resources}
    seen = _distinct(name, "ResourceType")
    assert seen
    assert seen - ours == set()


def test_marketplace_publishers_match_the_sample():
    services = {s.name: s for s in load_catalog("aws").services}
    rows = (
        _sample()
        .execute(
            "SELECT DISTINCT ServiceName, PublisherName FROM s WHERE ProviderName = 'AWS' "
            "AND PublisherName NOT LIKE 'Amazon Web Services%'"  # AWS's own legal entities
        )
        .fetchall()
    )
    assert ("Red Hat OpenShift Service on AWS", "Red Hat Inc.") in rows
    for service, publisher in rows:
        assert services[service].publisher_name == publisher, service


def test_sample_ids_match_the_formats_we_generate():
    """Our id regexes hold on the real (anonymised) ids that anonymisation left intact."""
    con = _sample()
    aws = con.execute(
        "SELECT SkuId, SkuPriceId FROM s WHERE ProviderName = 'AWS' AND SkuPriceId IS NOT NULL"
    ).fetchall()
    assert aws and all(AWS_SKU.match(a) and _aws_price_id(a).match(b) for a, b in aws)
    oci = con.execute(
        "SELECT SkuId, AvailabilityZone, BillingAccountId FROM s WHERE ProviderName = 'Oracle'"
    ).fetchall()
    assert all(OCI_SKU.match(s) and OCI_AD.match(z) and b.isdigit() for s, z, b in oci)


def test_azure_units_are_microsofts_distinct_units_with_their_block_sizes():
    """PricingUnit = DistinctUnits, x_PricingUnitDescription = UnitOfMeasure, block = size."""
    with PRICING_UNITS.open(newline="") as f:
        table = {row["UnitOfMeasure"]: row for row in csv.DictReader(f)}
    for sku in _skus("azure"):
        text = azure_unit_of_measure(sku.pricing_unit, sku.block_size)
        row = table.get(text)
        assert row is not None, (sku.price_id, sku.pricing_unit, text)
        assert row["DistinctUnits"] == sku.pricing_unit, sku.price_id
        assert float(row["PricingBlockSize"]) == sku.block_size, sku.price_id
        assert sku.consumed_unit == sku.pricing_unit, sku.price_id


def test_global_region_id_and_name_go_together():
    catalog = load_catalog("aws")
    with pytest.raises(CatalogError, match="go together"):
        check_catalog(catalog.model_copy(update={"global_region_name": None}))
    with pytest.raises(CatalogError, match="also a region"):
        check_catalog(catalog.model_copy(update={"global_region_id": "us-east-1"}))


# ---- generated data ---------------------------------------------------------------------------

AWS_ACCOUNT = re.compile(r"^[0-9]{12}$")
AWS_SKU = re.compile(r"^[A-Z0-9]{16}$")
GUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
AZURE_SUBSCRIPTION = re.compile(rf"^/subscriptions/{GUID}$")
AZURE_RESOURCE = re.compile(rf"^/subscriptions/{GUID}/resourcegroups/[^/]+/providers/microsoft\.")
OCI_SKU = re.compile(r"^B[0-9]{5,6}$")
OCI_AD = re.compile(r"^[A-Za-z]{4}:[A-Z0-9-]+-AD-[1-3]$")
OCI_OCID = re.compile(r"^ocid1\.[a-z0-9]+\.oc1\.[a-z0-9-]*\.[a-z0-9]+$")


def _aws_price_id(sku_id: str) -> re.Pattern:
    return re.compile(rf"^{re.escape(sku_id)}\.[A-Z0-9]{{10}}\.[A-Z0-9]{{10}}$")


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    return make_dataset(
        tmp_path_factory.mktemp("vocab"),
        providers="aws,azure,oci",
        rows=15_000,
        months=1,
        focus_version="1.2",
    )


def _usage_rows(folder, provider, columns):
    return read(folder / provider).rows(
        f"SELECT {columns} FROM t WHERE ChargeCategory = 'Usage' AND CommitmentDiscountStatus "
        "IS DISTINCT FROM 'Unused'"
    )


def test_generated_aws_ids_regions_and_units(generated):
    data = read(generated / "aws")
    accounts = data.rows("SELECT DISTINCT BillingAccountId, SubAccountId FROM t")
    assert all(AWS_ACCOUNT.match(b) and AWS_ACCOUNT.match(s) for b, s in accounts)
    # catalog SKUs; commitment and support-fee SKU ids are made by the engine (not checked here)
    skus = _usage_rows(generated, "aws", "DISTINCT SkuId, SkuPriceId")
    assert skus and all(AWS_SKU.match(s) and _aws_price_id(s).match(p) for s, p in skus)
    catalog = load_catalog("aws")
    regions = {r.id: r.name for r in catalog.regions} | {"global": "Global"}
    rows = data.rows("SELECT DISTINCT RegionId, RegionName FROM t WHERE RegionId IS NOT NULL")
    assert rows and all(regions[r] == n for r, n in rows)
    regional = {s.name: s.regional for s in catalog.services}
    usage = _usage_rows(generated, "aws", "DISTINCT ServiceName, RegionId")
    assert {r for _, r in usage} >= {"global", "us-east-1"}
    for service, region in usage:
        assert (region == "global") == (not regional[service]), (service, region)
    units = {u for (u,) in data.rows("SELECT DISTINCT PricingUnit FROM t")}
    assert units >= {"Hours", "GB-Months", "GB"}
    assert not units & {"Key-Months", "Alarm-Months", "Metric-Months"}


def test_generated_azure_ids_and_units(generated):
    data = read(generated / "azure")
    subs = data.rows("SELECT DISTINCT SubAccountId FROM t WHERE SubAccountId IS NOT NULL")
    assert subs and all(AZURE_SUBSCRIPTION.match(s) for (s,) in subs)
    resources = _usage_rows(generated, "azure", "DISTINCT ResourceId, CommitmentDiscountId")
    arm = [r for r, c in resources if r is not None and c is None]
    assert arm and all(AZURE_RESOURCE.match(r) and r == r.lower() for r in arm)
    units = data.rows(
        "SELECT DISTINCT PricingUnit, ConsumedUnit, x_PricingUnitDescription, x_PricingBlockSize "
        "FROM t WHERE x_PricingUnitDescription IS NOT NULL"
    )
    with PRICING_UNITS.open(newline="") as f:
        table = {row["UnitOfMeasure"]: row for row in csv.DictReader(f)}
    for pricing, consumed, text, block in units:
        assert table[text]["DistinctUnits"] == pricing == consumed, text
        assert float(table[text]["PricingBlockSize"]) == float(block), text
    assert {u for u, *_ in units} >= {"Hours", "GB/Month", "Units"}


def test_generated_oci_ids_and_availability_domains(generated):
    data = read(generated / "oci")
    billing = data.rows("SELECT DISTINCT BillingAccountId FROM t")
    assert billing and all(b.isdigit() for (b,) in billing)
    subs = data.rows("SELECT DISTINCT SubAccountId FROM t WHERE SubAccountId IS NOT NULL")
    assert subs and all(re.match(r"^ocid1\.tenancy\.oc1\.\.[a-z0-9]+$", s) for (s,) in subs)
    rows = _usage_rows(
        generated, "oci", "DISTINCT ServiceName, ResourceId, SkuId, AvailabilityZone"
    )
    assert rows
    for service, resource, sku, zone in rows:
        if service == "TELEMETRY":  # monitoring bills per metric namespace, as OCI reports do
            assert re.match(r"^[a-z0-9_-]+$", resource), resource
        else:
            assert OCI_OCID.match(resource), resource
        assert OCI_SKU.match(sku), sku
        assert zone is None or OCI_AD.match(zone), zone
    assert any(zone for *_, zone in rows)
    units = {u for (u,) in data.rows("SELECT DISTINCT PricingUnit FROM t")}
    assert units >= {"OCPU Hours", "GB Hours", "GB Months"}
