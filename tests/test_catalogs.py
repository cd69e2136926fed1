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


AZURE_SKU = re.compile(r"^[A-Z0-9]{12}/[A-Z0-9]{4}$")
AZURE_ARM_ID = re.compile(
    r"^/subscriptions/\{account\}/resourcegroups/[^/]+/providers/microsoft\.[a-z]+/[a-z0-9]+/[^/]+"
    r"(/[a-z0-9]+/[^/]+)*$"
)
AZURE_SERVICES = {
    "Virtual Machines",
    "Virtual Machine Scale Sets",
    "Azure Kubernetes Service",
    "Azure Container Instances",
    "Azure Container Apps",
    "Functions",
    "Azure App Service",
    "Batch",
    "Azure Virtual Desktop",
    "Storage Accounts",
    "Azure NetApp Files",
    "Azure Backup",
    "Azure SQL Database",
    "Cosmos DB",
    "Azure DB for PostgreSQL",
    "Azure DB for MySQL",
    "Azure Cache for Redis",
    "Azure Synapse Analytics",
    "Load Balancer",
    "Application Gateway",
    "Azure NAT Gateway",
    "VPN Gateway",
    "Azure ExpressRoute",
    "Azure Front Door",
    "Content Delivery Network",
    "Azure DNS",
    "Azure Firewall",
    "Bandwidth",
    "Azure Data Factory",
    "Azure Databricks",
    "Event Hubs",
    "Azure Stream Analytics",
    "HDInsight",
    "Azure Data Explorer",
    "Power BI Embedded",
    "Microsoft.Fabric",
    "Azure AI Services",
    "Azure AI Search",
    "Azure Machine Learning",
    "Azure Monitor",
    "Microsoft Defender for Cloud",
    "Key Vault",
    "Microsoft Sentinel",
    "Microsoft Entra External Identities",
    "Azure DDoS Protection",
    "Service Bus",
    "Event Grid",
    "Logic Apps",
    "API Management",
}


def _azure_skus():
    catalog = load_catalog("azure")
    return [
        (service, kind, sku)
        for service in catalog.services
        for kind in service.resources
        for sku in [*kind.variants, *kind.meters]
    ]


def test_azure_catalog_breadth_and_meter_categories():
    catalog = load_catalog("azure")
    names = {s.name for s in catalog.services}
    assert len(catalog.services) >= 60
    assert names >= AZURE_SERVICES, AZURE_SERVICES - names
    for service in catalog.services:
        # x_SkuMeterCategory: a display name, never an ARM namespace or another provider's code
        code = service.service_code or ""
        assert re.match(r"^[A-Z][A-Za-z0-9 .()/-]+$", code), (service.name, code)
        assert not code.lower().startswith("microsoft.") and "_" not in code, code
    assert {s.service_code for s in catalog.services} >= {
        "Virtual Machines",
        "Storage",
        "Bandwidth",
        "Azure App Service",
        "Cognitive Services",
    }
    assert {s.category for s in catalog.services} >= REQUIRED | {"Identity", "Web"}


def test_azure_sku_ids_price_ids_subcategories_and_resource_ids():
    skus = _azure_skus()
    assert len(skus) >= 250
    for service, kind, sku in skus:
        where = (service.name, kind.kind, sku.meter)
        assert AZURE_SKU.match(sku.sku_id), where
        product, sku_part = sku.sku_id.split("/")
        assert re.match(rf"^{product}_{sku_part}_Consumption(_\d+)?$", sku.price_id), where
        subcategory = sku.meter_subcategory or ""
        assert subcategory and subcategory.strip() == subcategory, where
        assert "{" not in sku.description.replace("{region_name}", "").replace("{price}", ""), where
        template = kind.id_template
        assert AZURE_ARM_ID.match(template), (where, template)
        literal = re.sub(r"\{[a-z0-9]+\}", "", template)
        assert literal == literal.lower(), (where, template)
        # ResourceType is the friendly name, not the ARM type
        assert kind.resource_type and not kind.resource_type.startswith("microsoft."), where


def _tiers(meter_subcategory: str, meter: str, sku_id: str) -> list[tuple[int, float]]:
    tiers = {}
    for _, _, sku in _azure_skus():
        if (sku.sku_id, sku.meter, sku.meter_subcategory) == (sku_id, meter, meter_subcategory):
            tier_min = sku.details.get("x_TierMinimumUnits")
            if tier_min is not None:
                tiers[int(tier_min)] = sku.list_price
    return sorted(tiers.items())


def test_azure_tiered_prices_decrease():
    egress = _tiers("Rtn Preference: MGN", "Standard Data Transfer Out", "DZH318Z0FVTR/0013")
    assert egress == [(0, 0.0), (100, 0.087), (10240, 0.083), (51200, 0.07), (153600, 0.05)]
    blob = _tiers("Tiered Block Blob", "Hot LRS Data Stored", "DZH318Z0TCQD/00J6")
    assert [t for t, _ in blob] == [51200, 512000]
    base = "DZH318Z0TCQD_00J6_Consumption"
    first = next(s.list_price for _, _, s in _azure_skus() if s.price_id == base)
    prices = [first] + [p for _, p in blob]
    assert prices == sorted(prices, reverse=True) and len(set(prices)) == 3
    paid = [p for _, p in egress if p > 0]
    assert all(a > b for a, b in itertools.pairwise(paid))


def test_azure_known_list_prices():
    by_description = {s.description: s.list_price for _, _, s in _azure_skus()}
    d2s = "Virtual Machines Dsv5 Series - D2s v5 - {region_name}"
    egress = "Rtn Preference: MGN - Standard Data Transfer Out - Zone 1 - First 10 TB"
    assert by_description[d2s] == pytest.approx(0.096)
    assert by_description[egress] == pytest.approx(0.087)
    assert by_description["Azure OpenAI - gpt-4o-0806-Inp-glbl Tokens"] == pytest.approx(0.0025)
    outputs = {
        s.meter: s.list_price for _, _, s in _azure_skus() if s.meter_subcategory == "Azure OpenAI"
    }
    assert sum(m.endswith("Outp-glbl Tokens") for m in outputs) >= 6
    for meter, price in outputs.items():
        if meter.endswith("Inp-glbl Tokens") and meter.replace("Inp", "Outp") in outputs:
            assert outputs[meter.replace("Inp", "Outp")] > price, meter
