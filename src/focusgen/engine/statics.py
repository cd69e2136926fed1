"""Per-world Arrow dictionaries (names, ids, descriptions) built once and shared by chunks."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

import numpy as np
import pyarrow as pa

from focusgen.engine.arrow import strings
from focusgen.world.keys import distinct
from focusgen.world.model import SPEND_COMMITMENT, USAGE_COMMITMENT, ProviderWorld


def _price_text(price: float) -> str:
    text = f"{price:.4f}".rstrip("0")
    whole, _, frac = text.partition(".")
    return f"{whole}.{frac.ljust(3, '0')}"


@dataclass
class Statics:
    """Dictionaries indexed by service, region, zone, account, SKU, resource and commitment."""

    service_name: pa.Array
    service_category: pa.Array
    service_subcategory: pa.Array
    region_id: pa.Array
    region_name: pa.Array
    zone: pa.Array
    sub_id: pa.Array
    sub_name: pa.Array
    billing_id: pa.Array
    billing_name: pa.Array
    invoice_id: pa.Array
    sku_id: pa.Array
    sku_price_id: pa.Array
    sku_meter: pa.Array
    pricing_unit: pa.Array
    consumed_unit: pa.Array
    sku_details: pa.Array
    sku_details_valid: np.ndarray
    sku_programs: pa.Array
    sku_programs_valid: np.ndarray
    description: pa.Array  # ChargeDescription of each (SKU, region) pair in use
    pair_code: np.ndarray  # SKU * regions + region -> index into description (-1: unused)
    resource_id: pa.Array
    resource_name: pa.Array
    resource_type: pa.Array
    tags: pa.Array
    commitment_id: pa.Array
    commitment_name: pa.Array
    commitment_type: pa.Array
    commitment_category: pa.Array
    commitment_unit: pa.Array
    commitment_sku_id: pa.Array
    commitment_price_id: pa.Array
    commitment_description: pa.Array
    commitment_programs: pa.Array
    invoice_detail_id: pa.Array
    contract_id: np.ndarray
    billing_currency: pa.Array
    reservation_id: pa.Array
    commitment_currency: np.ndarray
    parties: dict[str, pa.Array] | None  # per-service party columns, when listings differ
    third_party: np.ndarray  # per service: the publisher invoices, the provider bills 0


def statics(pw: ProviderWorld) -> Statics:
    """The dictionaries of a provider world (built on first use, kept on the world)."""
    cached = pw.__dict__.get("_statics")
    if cached is None:
        cached = _build(pw)
        pw.__dict__["_statics"] = cached
    return cached


def _programs_json(types: list[str]) -> str:
    return json.dumps(
        {"CommitmentPrograms": [{"ProgramType": t} for t in types]}, separators=(",", ":")
    )


def _build(pw: ProviderWorld) -> Statics:
    t = pw.tables
    catalog = t.catalog
    kinds = catalog.commitment_types
    n_regions = len(t.region_id)
    pairs = used_sku_regions(pw)
    pair_code = np.full(len(t.sku_description) * n_regions, -1, dtype=np.int32)
    pair_code[pairs] = np.arange(len(pairs), dtype=np.int32)
    descriptions = []
    for s, r in zip(*np.divmod(pairs, n_regions), strict=True):
        template = t.sku_description[s]
        descriptions.append(
            template.format(
                price=_price_text(t.sku_list_price[s] * t.region_price_factor[r]),
                region_name=t.region_name[r],
                region_id=t.region_id[r],
            )
            if "{" in template
            else template
        )
    program_types = {
        0: [],
        USAGE_COMMITMENT: [kinds[k] for k in ("usage", "spend") if k in kinds],
        SPEND_COMMITMENT: [kinds["spend"]] if "spend" in kinds else [],
    }
    # One text per commitment class (none, usage, spend), not one per SKU.
    texts = {c: _programs_json(sorted(set(types))) for c, types in program_types.items()}
    sku_programs = [texts[c] for c in t.sku_commitment.tolist()]
    c = pw.commitments
    category = np.where(c.kind == USAGE_COMMITMENT, "Usage", "Spend")
    ctype = np.array(
        [kinds["usage" if k == USAGE_COMMITMENT else "spend"] for k in c.kind], dtype=str
    )
    unit = np.where(
        c.kind == USAGE_COMMITMENT,
        "Normalized Hours",
        pw.billing_currency[c.billing] if len(c) else [],
    )
    term = np.where(c.term_hours == 8760, "1 Year", "3 Years")
    description = np.array([f"{ty} {tm}" for ty, tm in zip(ctype, term, strict=True)], dtype=str)
    org = pw.org
    names, categories, subcategories = service_labels(pw)
    return Statics(
        service_name=strings(names),
        service_category=strings(categories),
        service_subcategory=strings(subcategories),
        # the provider's global region (if any) follows the regions: index len(regions)
        region_id=strings([*t.region_id, *filter(None, [catalog.global_region_id])]),
        region_name=strings([*t.region_name, *filter(None, [catalog.global_region_name])]),
        zone=strings(t.zone_name),
        sub_id=strings(org.sub_id),
        sub_name=strings(org.sub_name),
        billing_id=strings(org.billing_id),
        billing_name=strings(org.billing_name),
        invoice_id=strings(pw.invoice_ids.ravel()),
        sku_id=strings(t.sku_id),
        sku_price_id=strings(t.sku_price_id),
        sku_meter=strings(t.sku_meter),
        pricing_unit=strings(t.sku_pricing_unit),
        consumed_unit=strings(t.sku_consumed_unit),
        sku_details=strings(t.sku_details),
        sku_details_valid=np.array([bool(d) for d in t.sku_details]),
        sku_programs=strings(sku_programs),
        sku_programs_valid=t.sku_commitment > 0,
        description=strings(descriptions),
        pair_code=pair_code,
        resource_id=strings(pw.resources.id),
        resource_name=strings(pw.resources.name),
        resource_type=pw.resources.type_texts,
        tags=pw.resources.tag_texts,
        commitment_id=strings(c.id),
        commitment_name=strings(c.name),
        commitment_type=strings(ctype),
        commitment_category=strings(category),
        commitment_unit=strings(unit),
        commitment_sku_id=strings(c.sku_id),
        commitment_price_id=strings(c.sku_price_id),
        commitment_description=strings(description),
        commitment_programs=strings([_programs_json([x]) for x in ctype]),
        invoice_detail_id=strings(invoice_detail_ids(pw).ravel()),
        contract_id=contract_ids(pw)[c.billing] if len(c) else np.zeros(0, dtype=str),
        billing_currency=strings(pw.billing_currency),
        reservation_id=strings(pw.reservations.id if pw.reservations is not None else []),
        commitment_currency=pw.billing_currency[c.billing] if len(c) else np.zeros(0, str),
        parties=service_parties(pw),
        third_party=third_party_services(pw),
    )


def used_sku_regions(pw: ProviderWorld) -> np.ndarray:
    """Sorted ``SKU * regions + region`` keys of the pairs rows can bill: lines, reservations.

    Texts per (SKU, region) are made for these only. A 1M-row AWS hourly world bills 590 of
    its catalog's 6,042 pairs; texts for all of them took ~10 ms of serial world build, and
    every file's ChargeDescription dictionary carried them (3,814 distinct) for nothing.
    """
    n_regions = len(pw.tables.region_id)
    keys = [pw.lines.sku.astype(np.int64) * n_regions + pw.lines.region]
    if pw.reservations is not None:
        keys.append(pw.reservations.sku.astype(np.int64) * n_regions + pw.reservations.region)
    return distinct(np.concatenate(keys))


def third_party_services(pw: ProviderWorld) -> np.ndarray:
    """Per service (including the synthetic ones): is it invoiced by its publisher?"""
    out = np.zeros(len(pw.services.name), dtype=bool)
    flags = pw.tables.service_third_party
    out[: len(flags)] = flags
    return out


def service_parties(pw: ProviderWorld) -> dict[str, pa.Array] | None:
    """Publisher, issuer, service and host provider per service, or None when all are the
    provider's own (the common case: those columns stay constants)."""
    t = pw.tables
    if not (t.service_publisher != "").any():
        return None
    catalog = t.catalog
    n = len(pw.services.name)

    def per_service(own: np.ndarray, default: str) -> pa.Array:
        values = np.full(n, default, dtype=object)
        values[: len(own)] = np.where(own != "", own, default)
        return strings(values)

    host = catalog.host_provider_name or catalog.provider_name
    issuer = np.where(t.service_third_party, t.service_publisher, "")
    return {
        "PublisherName": per_service(t.service_publisher, catalog.publisher_name),
        "ServiceProviderName": per_service(t.service_publisher, catalog.provider_name),
        "HostProviderName": per_service(t.service_host, host),
        "InvoiceIssuerName": per_service(issuer, catalog.invoice_issuer_name),
    }


LEGACY_VERSIONS = ("1.0", "1.1")


def service_labels(pw: ProviderWorld) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ServiceName, ServiceCategory and ServiceSubcategory per service for the run's version.

    Before 1.2 providers labelled line items rather than services (AWS put EBS volumes under
    "Amazon Elastic Compute Cloud" with category Storage); the catalog's legacy labels say so.
    """
    names = pw.services.name.copy()
    categories = pw.services.category.copy()
    subcategories = pw.services.subcategory.copy()
    if pw.focus_version in LEGACY_VERSIONS:
        for i, service in enumerate(pw.tables.catalog.services):
            names[i] = service.legacy_name or names[i]
            categories[i] = service.legacy_category or categories[i]
            subcategories[i] = service.legacy_subcategory or subcategories[i]
    return names.astype(object), categories.astype(object), subcategories.astype(object)


def contract_ids(pw: ProviderWorld) -> np.ndarray:
    """One enterprise contract per billing account; commitments sit under their account's."""
    return np.array(
        [f"{pw.provider.upper()}-CONTRACT-{i + 1:04d}" for i in range(len(pw.org.billing_id))]
    )


CATEGORY_NAMES = ("Usage", "Purchase", "Tax", "Credit", "Adjustment")


def invoice_detail_ids(pw: ProviderWorld) -> np.ndarray:
    """InvoiceDetailId for every (billing account, month, service, charge category)."""
    invoices = pw.invoice_ids  # (billing, month)
    services = np.arange(len(pw.services.name))
    grid = np.strings.add(invoices[:, :, None, None].astype(str), "-")
    grid = np.strings.add(grid, np.strings.zfill(services.astype(str), 3)[None, None, :, None])
    grid = np.strings.add(grid, np.array(["-U", "-P", "-T", "-C", "-A"])[None, None, None, :])
    return grid


@cache
def pricing_categories() -> pa.Array:
    """Dictionary of PricingCategory values: Standard, Dynamic, Committed."""
    return strings(["Standard", "Dynamic", "Committed"])
