"""Every FOCUS version gets exactly its columns, typed, with values where the spec gives them."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from focusgen.focus.spec import columns
from focusgen.providers.extensions import extension_fields
from support.data import SHARED, make_dataset, read

# Every column must carry values in these runs.
NULL_UNTIL_LATER: set[str] = set()
# Columns whose single value is right for a one-currency, one-provider dataset.
CONSTANT_BY_DESIGN = {
    "ChargeClass",  # its only allowed value is "Correction"
    "BillingCurrency",
    "PricingCurrency",
    "ProviderName",
    "PublisherName",
    "InvoiceIssuerName",
    "ServiceProviderName",
    "HostProviderName",
    "BillingAccountType",
    "SubAccountType",
}
ARROW_TYPES = {
    "String": "string",
    "JSON": "string",
    "Decimal": "double",
    "Date/Time": "timestamp[us, tz=UTC]",
}


@pytest.fixture(scope="module")
def by_version(tmp_path_factory):
    root = tmp_path_factory.mktemp("versions")
    return {
        v: make_dataset(
            root,
            providers="aws,azure",
            rows=20000,
            months=2,
            focus_version=v,
            split_allocation=v in ("1.3", "1.4"),
        )
        for v in ("1.0", "1.1", "1.2", "1.3", "1.4")
    }


def test_column_facts_match_the_spec_digest():
    shared = json.loads((SHARED / "focus" / "columns.json").read_text())
    for version in ("1.0", "1.1", "1.2", "1.3", "1.4"):
        for dataset, cols in shared[version].items():
            assert [c.name for c in columns(version, dataset)] == [c["name"] for c in cols]


@pytest.mark.parametrize("version", ["1.0", "1.1", "1.2", "1.3", "1.4"])
def test_every_column_of_the_version_with_its_type(by_version, version):
    files = sorted(by_version[version].rglob("*.parquet"))
    schema = pq.read_schema(files[0])
    provider = files[0].relative_to(by_version[version]).parts[0]
    expected = [c.name for c in columns(version)]
    extensions = [f.name for f in extension_fields(provider)]
    assert extensions and all(name.startswith("x_") for name in extensions)
    assert schema.names == expected + extensions
    for spec in columns(version):
        assert str(schema.field(spec.name).type) == ARROW_TYPES[spec.type], spec.name


@pytest.mark.parametrize("version", ["1.0", "1.1", "1.2", "1.3", "1.4"])
def test_no_column_is_empty_or_constant_where_values_exist(by_version, version):
    data = read(by_version[version])
    empty, constant = [], []
    for spec in columns(version):
        distinct, nonnull = data.rows(
            f'SELECT count(DISTINCT "{spec.name}"), count("{spec.name}") FROM t'
        )[0]
        if spec.name in NULL_UNTIL_LATER:
            continue
        if nonnull == 0:
            empty.append(spec.name)
        elif distinct < 2 and spec.name not in CONSTANT_BY_DESIGN:
            constant.append(spec.name)
    assert empty == [] and constant == []


@pytest.mark.parametrize("version", ["1.1", "1.2", "1.3", "1.4"])
def test_allowed_values_and_category_parents(by_version, version):
    data = read(by_version[version])
    for spec in columns(version):
        if not spec.allowed:
            continue
        values = {r[0] for r in data.rows(f'SELECT DISTINCT "{spec.name}" FROM t')} - {None}
        assert values <= set(spec.allowed), spec.name
    parents = next(c for c in columns(version) if c.name == "ServiceSubcategory").parents
    pairs = data.rows("SELECT DISTINCT ServiceCategory, ServiceSubcategory FROM t")
    assert all(parents[sub] == cat for cat, sub in pairs)
    per_service = data.rows(
        "SELECT ServiceName FROM t GROUP BY 1 HAVING count(DISTINCT ServiceCategory) > 1"
    )
    # One category per service is a 1.2 rule; before it AWS labelled EBS volumes
    # "Amazon Elastic Compute Cloud" with category Storage (the catalog's legacy labels).
    if version not in ("1.0", "1.1"):
        assert per_service == []


def test_json_columns_are_json_objects(by_version):
    data = read(by_version["1.4"])
    for column in ("Tags", "SkuPriceDetails", "CommitmentProgramEligibilityDetails"):
        values = [
            r[0] for r in data.rows(f"SELECT DISTINCT {column} FROM t WHERE {column} IS NOT NULL")
        ]
        assert values, column
        for text in values:
            parsed = json.loads(text)
            assert isinstance(parsed, dict)
            if column != "CommitmentProgramEligibilityDetails":
                assert all(not isinstance(v, dict | list) for v in parsed.values())
