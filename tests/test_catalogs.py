"""Provider catalogs: breadth, FOCUS categories, units, id formats."""

from __future__ import annotations

import itertools
import re

import pytest

from focusgen.catalog import load_catalog
from focusgen.focus.spec import service_categories, subcategory_parents
from focusgen.focus.units import is_unit

REQUIRED = {
    "Compute",
    "Storage",
    "Databases",
    "Networking",
    "Analytics",
    "AI and Machine Learning",
    "Management and Governance",
    "Security",
    "Integration",
}
SKU_FORMATS = {
    "aws": re.compile(r"^[A-Z0-9]{16}$"),
    "gcp": re.compile(r"^[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}$"),
    "oci": re.compile(r"^B[0-9]{5,6}$"),
}


@pytest.mark.parametrize("provider", ["aws", "azure", "gcp", "oci"])
def test_catalog_breadth_and_categories(provider):
    catalog = load_catalog(provider)
    assert len(catalog.services) >= 15
    categories = {s.category for s in catalog.services}
    assert categories >= REQUIRED
    parents = subcategory_parents()
    for service in catalog.services:
        assert service.category in service_categories()
        assert parents[service.subcategory] == service.category
    assert len({s.name for s in catalog.services}) == len(catalog.services)


@pytest.mark.parametrize("provider", ["aws", "azure", "gcp", "oci"])
def test_skus_have_prices_units_and_provider_id_formats(provider):
    catalog = load_catalog(provider)
    skus = [sku for s in catalog.services for k in s.resources for sku in [*k.variants, *k.meters]]
    assert len(skus) >= 60
    assert all(sku.list_price >= 0 and is_unit(sku.pricing_unit) for sku in skus)
    assert sum(sku.list_price > 0 for sku in skus) >= 0.95 * len(skus)
    if provider in SKU_FORMATS:
        assert all(SKU_FORMATS[provider].match(sku.sku_id) for sku in skus), provider
    prices = {}
    for sku in skus:
        assert prices.setdefault(sku.price_id, sku.list_price) == sku.list_price
    assert len(catalog.regions) >= 8
    assert all(r.name.isascii() for r in catalog.regions)


def test_known_list_prices_are_real():
    linux = {
        sku.details["InstanceType"]: sku.list_price
        for s in load_catalog("aws").services
        for k in s.resources
        for sku in k.variants
        if sku.details.get("OperatingSystem") == "Linux"
    }
    assert linux["m5.large"] == pytest.approx(0.096)
    assert linux["c5.large"] == pytest.approx(0.085)


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("Hours", True),
        ("GB-Months", True),
        ("1000 Requests", True),
        ("GB/Hour", True),
        ("Requests/3 Months", True),
        ("10000 GB-Seconds", False),
        ("GB Months", True),
        ("$", False),
        ("", False),
    ],
)
def test_unit_format_grammar(text, ok):
    assert is_unit(text) is ok


GCP_ID = re.compile(r"^[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}$")
GCP_PRICE_ID = re.compile(
    r"^SKU ID: ([0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}), Price Tier Start Amount: (\d+)$"
)


def _gcp_skus(service_name=None):
    return [
        (service, kind, sku)
        for service in load_catalog("gcp").services
        if service_name is None or service.name == service_name
        for kind in service.resources
        for sku in [*kind.variants, *kind.meters]
    ]


def test_gcp_catalog_breadth_and_service_ids():
    catalog = load_catalog("gcp")
    assert len(catalog.services) >= 60
    assert all(s.service_code and GCP_ID.match(s.service_code) for s in catalog.services)
    codes = {s.name: s.service_code for s in catalog.services}
    # Cloud Billing service ids (service.id) of the core services
    assert codes["Compute Engine"] == "6F81-5844-456A"
    assert codes["Cloud Storage"] == "95FF-2EF5-5EA1"
    assert codes["BigQuery"] == "24E6-581D-38E5"
    assert codes["Cloud SQL"] == "9662-B51E-5089"
    assert codes["Kubernetes Engine"] == "CCD8-9BF1-090E"
    assert codes["Networking"] == "E505-1604-58F8"
    assert codes["Vertex AI"] == "C7E2-9256-1C43"
    assert codes["Cloud Spanner"] == "CC63-0873-48FD"
    # a service id names one service, except services Google bills under Compute Engine
    # that the catalog splits out for a single ServiceCategory per ServiceName
    by_code: dict[str, list[str]] = {}
    for s in catalog.services:
        by_code.setdefault(s.service_code, []).append(s.name)
    assert {c: n for c, n in by_code.items() if len(n) > 1} == {
        "6F81-5844-456A": ["Compute Engine", "Persistent Disk"]
    }
    categories = {s.category for s in catalog.services}
    assert categories >= REQUIRED | {"Identity", "Developer Tools"}


def test_gcp_sku_and_price_id_formats():
    skus = _gcp_skus()
    assert len(skus) >= 200
    for service, _, sku in skus:
        assert GCP_ID.match(sku.sku_id), (service.name, sku.sku_id)
        match = GCP_PRICE_ID.match(sku.price_id)
        assert match and match.group(1) == sku.sku_id, (service.name, sku.price_id)
        assert set(re.findall(r"{(\w+)}", sku.description)) <= {"price", "region_id", "region_name"}
        if not service.regional:
            assert "{region_" not in sku.description, (service.name, sku.description)
    descriptions = {sku.description for _, _, sku in skus}
    assert "N2 Instance Core running in {region_name}" in descriptions
    assert "N2 Instance Ram running in {region_name}" in descriptions


def test_gcp_tiered_prices_decrease():
    tiers: dict[str, list[tuple[int, float]]] = {}
    for _, _, sku in _gcp_skus():
        start = int(GCP_PRICE_ID.match(sku.price_id).group(2))
        tiers.setdefault(sku.sku_id, [])
        if (start, sku.list_price) not in tiers[sku.sku_id]:
            tiers[sku.sku_id].append((start, sku.list_price))
    tiered = {k: sorted(v) for k, v in tiers.items() if len(v) > 1}
    assert len(tiered) >= 3
    for steps in tiered.values():
        starts = [s for s, _ in steps]
        prices = [p for _, p in steps]
        assert len(set(starts)) == len(starts)
        assert all(a > b for a, b in itertools.pairwise(prices)), steps
    egress = [
        steps
        for sku_id, steps in tiered.items()
        if any(
            s.sku_id == sku_id and "Internet Egress" in s.description
            for _, _, s in _gcp_skus("Networking")
        )
    ]
    assert egress == [[(0, 0.12), (1024, 0.11), (10240, 0.08)]]


def test_gcp_accelerators_storage_classes_and_disks():
    details = [sku.details for _, _, sku in _gcp_skus()]
    gpus = {d.get("x_GpuModel", "") for d in details}
    for model in ("T4", "L4", "A100", "H100"):
        assert any(model in g for g in gpus), model
    tpu_services = {
        s.name for s, _, sku in _gcp_skus() if sku.details.get("x_ResourceGroup") == "TPU"
    }
    assert tpu_services == {"Cloud TPU", "Compute Engine"}
    classes = {sku.details.get("StorageClass") for _, _, sku in _gcp_skus("Cloud Storage")}
    assert classes >= {"Standard", "Nearline", "Coldline", "Archive"}
    disks = {sku.details.get("DiskType") for _, _, sku in _gcp_skus("Persistent Disk")}
    assert disks >= {"pd-standard", "pd-balanced", "pd-ssd", "hyperdisk-balanced"}
    assert any(k.kind == "snapshot" for _, k, _ in _gcp_skus("Persistent Disk"))
    bigquery = {sku.description: sku for _, _, sku in _gcp_skus("BigQuery")}
    assert bigquery["Analysis"].pricing_unit == "TiB"
    assert bigquery["Analysis"].list_price == pytest.approx(6.25)
    assert {"Active Logical Storage", "Long Term Logical Storage"} <= set(bigquery)


def test_gcp_regions_and_zones():
    regions = load_catalog("gcp").regions
    assert len(regions) >= 12
    names = {r.id: r.name for r in regions}
    assert names["us-central1"] == "Iowa" and names["europe-west1"] == "Belgium"
    assert names["asia-northeast1"] == "Tokyo" and names["australia-southeast1"] == "Sydney"
    for region in regions:
        assert re.match(r"^[a-z]+-[a-z]+[0-9]+$", region.id), region.id
        assert region.zones and all(re.match(rf"^{region.id}-[a-z]$", z) for z in region.zones)
