"""Provider catalogs: breadth, FOCUS categories, units, id formats."""

from __future__ import annotations

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
