"""Publishers beyond the four clouds: IBM Cloud and SaaS publishers (Snowflake, Databricks,
Datadog, MongoDB Atlas, an LLM API) as selectable providers with their own catalogs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from focusgen.catalog import load_catalog
from focusgen.focus.spec import service_categories, subcategory_parents
from focusgen.focus.units import is_unit
from focusgen.scenario import DEFAULT_PROVIDERS, PROVIDERS, Scenario, ScenarioError, load_scenario
from focusgen.validate import validate
from support.data import make_dataset, read

PUBLISHERS = ("ibm", "snowflake", "databricks", "datadog", "mongodb", "llm")
VERSIONS = ("1.0", "1.2", "1.3", "1.4")

# Per publisher: party names, host, account/resource/SKU id formats (full-match regexes).
EXPECTED = {
    "ibm": {
        "provider": "IBM",
        "host": "IBM",
        "billing": r"[0-9a-f]{32}",
        "sub": r"[0-9a-f]{32}",
        "resource": r"crn:v1:bluemix:public:[a-z0-9.-]+:[a-z0-9-]+:a/[0-9a-f]{32}:"
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}:(bucket:[a-z0-9-]+|:)",
        "sku": r"[a-z0-9.-]+",
        "price": r"[a-z0-9.-]+:[A-Z0-9_]+",
        "region": r"(us-south|us-east|eu-de|eu-gb|jp-tok|au-syd|ca-tor|br-sao)",
    },
    "snowflake": {
        "provider": "Snowflake",
        "host": "AWS",
        "billing": r"[A-Z][A-Z0-9]{7}",
        "sub": r"[A-Z]{2}[0-9]{5}",
        "resource": r"[A-Z]{2}[0-9]{5}/[a-z-]+/[a-z0-9_-]+",
        "sku": r"[A-Z_]+",
        "price": r"[A-Z_]+:[A-Z_]+",
        "region": r"AWS_[A-Z]{2}_[A-Z]+_[0-9]",
    },
    "databricks": {
        "provider": "Databricks",
        "host": "AWS",
        "billing": r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}",
        "sub": r"[1-9][0-9]{15}",
        "resource": r"[1-9][0-9]{15}/[a-z/-]+/[a-z0-9-]+(-[0-9]+)?",
        "sku": r"(PREMIUM|ENTERPRISE)_[A-Z_()]+",
        "price": r"(PREMIUM|ENTERPRISE)_[A-Z_()]+:USD",
        "region": r"[a-z]{2}-[a-z]+-[0-9]",
    },
    "datadog": {
        "provider": "Datadog",
        "host": "Datadog",
        "billing": r"[0-9a-f]{12}",
        "sub": r"[0-9a-f]{12}",
        "resource": r"datadog:[0-9a-f]{12}:[a-z-]+/[a-z0-9-]+(-[0-9]+)?",
        "sku": r"[a-z0-9_]+",
        "price": r"[a-z0-9_]+:[a-z0-9_]+:on_demand",
        "region": None,  # billed per organization: no RegionId
    },
    "mongodb": {
        "provider": "MongoDB",
        "host": "AWS",
        "billing": r"[0-9a-f]{24}",
        "sub": r"[0-9a-f]{24}",
        "resource": r"[0-9a-f]{24}",
        "sku": r"ATLAS_[A-Z0-9_]+",
        "price": r"ATLAS_[A-Z0-9_]+:USD",
        "region": r"[A-Z]{2}_[A-Z]+_[0-9]",
    },
    "llm": {
        "provider": "OpenAI",
        "host": "OpenAI",
        "billing": r"org-[A-Za-z0-9]{24}",
        "sub": r"proj_[A-Za-z0-9]{24}",
        "resource": r"key_[0-9a-f]{16}|vs_[0-9a-f]{24}"
        r"|ft:gpt-4o-mini-2024-07-18:[a-z0-9-]+::[0-9a-f]{8}",
        "sku": r"[a-z0-9.-]+|web_search|file_search",
        "price": r"[a-z0-9._-]+:[a-z0-9_-]+",
        "region": None,  # a global API: no RegionId
    },
}

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}"
COMMITMENT_IDS = {
    "ibm": rf"crn:v1:bluemix:public:billing:global:a/[0-9a-f]{{32}}::subscription:{UUID}",
    "snowflake": r"capacity-contract-[0-9a-f]{16}",
    "databricks": rf"dbcu-{UUID}",
    "datadog": r"(?!)",
    "mongodb": r"(?!)",
    "llm": r"(?!)",
}


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("publishers")


def _dataset(root: Path, provider: str, version: str) -> Path:
    fmt = "csv" if version in ("1.0", "1.2") else "parquet"
    return make_dataset(
        root, providers=provider, rows=3000, months=2, focus_version=version, format=fmt
    )


def test_default_provider_set_is_the_four_clouds():
    assert DEFAULT_PROVIDERS == ("aws", "azure", "gcp", "oci")
    assert PROVIDERS[:4] == DEFAULT_PROVIDERS  # the clouds keep their seeding index
    assert set(PUBLISHERS) <= set(PROVIDERS[4:])
    assert Scenario().providers == {"aws": 1.0, "azure": 1.0, "gcp": 1.0, "oci": 1.0}
    assert load_scenario(None).providers == {"aws": 1.0, "azure": 1.0, "gcp": 1.0, "oci": 1.0}


def test_scenario_accepts_publishers_and_rejects_unknown_names(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("providers: [aws, snowflake, datadog]\n")
    assert set(load_scenario(path).providers) == {"aws", "snowflake", "datadog"}
    assert set(load_scenario(None, providers="aws,snowflake").providers) == {"aws", "snowflake"}
    with pytest.raises(ScenarioError) as error:
        load_scenario(None, providers="aws,alibaba")
    message = str(error.value)
    assert "\n" not in message and "'alibaba'" in message
    assert all(name in message for name in PROVIDERS)


@pytest.mark.parametrize("provider", PUBLISHERS)
def test_publisher_catalogs(provider):
    catalog = load_catalog(provider)
    expected = EXPECTED[provider]
    assert catalog.provider == provider
    assert catalog.provider_name == catalog.publisher_name == expected["provider"]
    # The official validator reads ProviderName <> InvoiceIssuerName as a third-party payment.
    assert catalog.invoice_issuer_name == catalog.provider_name
    assert (catalog.host_provider_name or catalog.provider_name) == expected["host"]
    assert len(catalog.services) >= (20 if provider == "ibm" else 5)
    parents = subcategory_parents()
    for service in catalog.services:
        assert service.category in service_categories()
        assert parents[service.subcategory] == service.category
        assert service.service_code
    skus = [sku for s in catalog.services for k in s.resources for sku in [*k.variants, *k.meters]]
    assert all(is_unit(s.pricing_unit) and is_unit(s.consumed_unit) for s in skus)
    assert all(s.list_price > 0 for s in skus)
    assert all(re.fullmatch(expected["sku"], s.sku_id) for s in skus), provider
    assert all(re.fullmatch(expected["price"], s.price_id) for s in skus), provider
    prices: dict[str, float] = {}
    for sku in skus:
        assert prices.setdefault(sku.price_id, sku.list_price) == sku.list_price, sku.price_id
    if expected["region"]:
        assert all(re.fullmatch(expected["region"], r.id) for r in catalog.regions)
    kinds = set(catalog.commitment_types)
    commits = {s.commitment for s in skus} - {"none"}
    assert commits <= kinds  # commitments only where the vendor sells them
    if provider in ("snowflake", "databricks", "ibm"):
        assert kinds == {"spend"} and commits == {"spend"}
    else:
        assert not kinds and not commits


def test_ibm_regions_and_services():
    catalog = load_catalog("ibm")
    names = {r.id: r.name for r in catalog.regions}
    assert names == {
        "us-south": "Dallas",
        "us-east": "Washington DC",
        "eu-de": "Frankfurt",
        "eu-gb": "London",
        "jp-tok": "Tokyo",
        "au-syd": "Sydney",
        "ca-tor": "Toronto",
        "br-sao": "Sao Paulo",
    }
    assert all(z.startswith(f"{r.id}-") for r in catalog.regions for z in r.zones)
    categories = {s.category for s in catalog.services}
    assert categories >= {
        "Compute", "Storage", "Databases", "Networking", "Analytics", "AI and Machine Learning",
        "Management and Governance", "Security", "Integration",
    }  # fmt: skip


def test_known_publisher_list_prices():
    def price(provider: str, price_id: str) -> float:
        catalog = load_catalog(provider)
        return next(
            sku.list_price
            for s in catalog.services
            for k in s.resources
            for sku in [*k.variants, *k.meters]
            if sku.price_id == price_id
        )

    assert price("llm", "gpt-4o:input") == pytest.approx(2.5)
    assert price("llm", "gpt-4o:output") == pytest.approx(10.0)
    assert price("llm", "gpt-4o-mini:cached_input") == pytest.approx(0.075)
    assert price("llm", "text-embedding-3-small:input") == pytest.approx(0.02)
    assert price("mongodb", "ATLAS_AWS_INSTANCE_M10:USD") == pytest.approx(0.08)
    assert price("mongodb", "ATLAS_AWS_INSTANCE_M30:USD") == pytest.approx(0.54)
    assert price("snowflake", "STORAGE:ON_DEMAND") == pytest.approx(23.0)
    assert price("databricks", "PREMIUM_JOBS_COMPUTE:USD") == pytest.approx(0.15)
    assert price("datadog", "infra_hosts:pro:on_demand") == pytest.approx(18.0)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("provider", PUBLISHERS)
def test_publisher_output_has_no_findings(root, provider, version):
    folder = _dataset(root, provider, version)
    report = validate(folder)
    assert report.version == version
    assert not report.findings, report.to_console()


@pytest.mark.parametrize("provider", PUBLISHERS)
def test_publisher_ids_parties_and_host(root, provider):
    expected = EXPECTED[provider]
    data = read(_dataset(root, provider, "1.3"))
    assert data.count() > 2000

    def distinct(column: str, where: str = "true") -> list[str]:
        return [r[0] for r in data.rows(f"SELECT DISTINCT {column} FROM t WHERE {where}")]

    assert distinct("ProviderName") == [expected["provider"]]
    assert distinct("ServiceProviderName") == [expected["provider"]]
    assert distinct("InvoiceIssuerName") == [expected["provider"]]
    assert distinct("HostProviderName") == [expected["host"]]
    for column, key in (("BillingAccountId", "billing"), ("SubAccountId", "sub")):
        values = distinct(column)
        assert values and all(re.fullmatch(expected[key], v) for v in values), (column, values)
    usage = (
        "ChargeCategory = 'Usage' AND ResourceId IS NOT NULL"
        " AND coalesce(CommitmentDiscountStatus, '') <> 'Unused'"
    )
    resources = distinct("ResourceId", usage)
    assert resources
    bad = [r for r in resources if not re.fullmatch(expected["resource"], r)]
    assert not bad, bad[:5]
    assert all(re.fullmatch(expected["sku"], s) for s in distinct("SkuId", usage))
    regions = distinct("RegionId", f"{usage} AND ChargeClass IS NULL")
    if expected["region"] is None:
        assert regions == [None]
    else:
        assert None not in regions
        assert all(re.fullmatch(expected["region"], r) for r in regions)
    commitments = distinct("CommitmentDiscountId", "CommitmentDiscountId IS NOT NULL")
    assert all(re.fullmatch(COMMITMENT_IDS[provider], c) for c in commitments), commitments
    if provider == "ibm":
        zones = distinct("AvailabilityZone", "AvailabilityZone IS NOT NULL")
        assert zones and all(re.fullmatch(r"[a-z]{2}-[a-z]+-[1-3]", z) for z in zones)


@pytest.mark.parametrize("provider", PUBLISHERS)
def test_support_rows_only_where_support_is_sold(root, provider):
    data = read(_dataset(root, provider, "1.3"))
    support = data.count("ServiceSubcategory = 'Support'")
    if load_catalog(provider).support_rate > 0:
        assert support > 0
    else:
        assert support == 0
    assert data.count("ChargeCategory = 'Purchase' AND BilledCost = 0") == 0


def test_saas_spend_follows_the_service_weights(root):
    """A SaaS publisher's spend sits in its main product, not in the cloud category mix."""
    main = {
        "snowflake": "Warehouse Metering",
        "databricks": "Jobs Compute",
        "mongodb": "Atlas Dedicated Clusters",
    }
    for provider, service in main.items():
        data = read(_dataset(root, provider, "1.3"))
        share = data.rows(
            "SELECT sum(CASE WHEN ServiceName = "
            f"'{service}' THEN ListCost ELSE 0 END) / sum(ListCost) FROM t "
            "WHERE ChargeCategory = 'Usage'"
        )[0][0]
        assert share > 0.3, (provider, share)


def test_mixed_cloud_and_publishers_keep_cloud_rows(root):
    out = make_dataset(
        root, providers="aws,snowflake,llm", rows=6000, months=1, focus_version="1.3"
    )
    data = read(out)
    names = {r[0] for r in data.rows("SELECT DISTINCT ProviderName FROM t")}
    assert names == {"AWS", "Snowflake", "OpenAI"}
    assert not validate(out).findings


@pytest.mark.official
@pytest.mark.parametrize("provider", PUBLISHERS)
def test_official_validator_passes_publisher_output(tmp_path, provider):
    from support.official_validator import (
        load_allowlist,
        run_official_validator,
        unexplained_failures,
    )

    out = make_dataset(
        tmp_path,
        providers=provider,
        rows=4000,
        months=2,
        focus_version="1.2",
        format="parquet",
        layout="provider",
    )
    report = run_official_validator(out / f"{provider}.parquet", version="1.2")
    assert report.total > 500 and report.passed > 300
    unexplained = unexplained_failures(report, load_allowlist(csv=False))
    assert [(f.rule_id, f.violations, f.message) for f in unexplained] == []


def test_cli_accepts_publishers(tmp_path):
    import json
    import subprocess
    import sys

    args = ["generate", "--providers", "aws,snowflake", "--rows", "2000", "--months", "1"]
    done = subprocess.run(
        [sys.executable, "-m", "focusgen", *args, "--output", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert set(summary["totals"]["by_provider"]) == {"aws", "snowflake"}
