"""Flatten a catalog into numpy arrays indexed by service, resource kind, SKU and region."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

import numpy as np

from focusgen.catalog.loader import load_catalog
from focusgen.catalog.model import Catalog, Sku

USAGE_CODES = {"runtime": 0, "storage": 1, "metered": 2}
COMMITMENT_CODES = {"none": 0, "usage": 1, "spend": 2}


@dataclass(frozen=True)
class CatalogTables:
    """Columnar view of one provider's catalog; all per-SKU arrays share the SKU index."""

    catalog: Catalog
    service_name: np.ndarray
    service_category: np.ndarray
    service_subcategory: np.ndarray
    service_code: np.ndarray
    service_publisher: np.ndarray
    service_host: np.ndarray
    service_third_party: np.ndarray
    service_regional: np.ndarray
    service_weight: np.ndarray
    kind_service: np.ndarray
    kind_weight: np.ndarray
    kind_zonal: np.ndarray
    kind_variant_start: np.ndarray
    kind_variant_count: np.ndarray
    kind_meter_start: np.ndarray
    kind_meter_count: np.ndarray
    kind_templates: list[tuple[str, str | None, str | None]]
    sku_kind: np.ndarray
    sku_id: np.ndarray
    sku_price_id: np.ndarray
    sku_meter: np.ndarray
    sku_description: list[str]
    sku_pricing_unit: np.ndarray
    sku_consumed_unit: np.ndarray
    sku_block_size: np.ndarray
    sku_list_price: np.ndarray
    sku_usage: np.ndarray
    sku_qty: np.ndarray
    sku_spread: np.ndarray
    sku_weight: np.ndarray
    sku_commitment: np.ndarray
    sku_spot: np.ndarray
    sku_normalization: np.ndarray
    sku_family: np.ndarray
    sku_details: np.ndarray
    region_id: np.ndarray
    region_name: np.ndarray
    region_price_factor: np.ndarray
    region_weight: np.ndarray
    region_zone_start: np.ndarray
    region_zone_count: np.ndarray
    zone_name: np.ndarray

    @property
    def n_services(self) -> int:
        """Number of usage services."""
        return len(self.service_name)


def _details_json(sku: Sku) -> str:
    return json.dumps(sku.details, separators=(",", ":"), sort_keys=True) if sku.details else ""


def _families(skus: list) -> np.ndarray:
    """Instance-family id per SKU: same resource kind and InstanceSeries, else the SKU alone."""
    keys = [
        f"{kind}:{sku.details['InstanceSeries']}" if "InstanceSeries" in sku.details else f"sku:{i}"
        for i, (kind, sku) in enumerate(skus)
    ]
    index = {key: j for j, key in enumerate(dict.fromkeys(keys))}
    return np.array([index[k] for k in keys], dtype=np.int32)


@cache
def catalog_tables(provider: str) -> CatalogTables:
    """The flattened catalog of a provider (built once per process)."""
    catalog = load_catalog(provider)
    services = catalog.services
    kind_rows: list[tuple] = []
    skus: list[tuple[int, Sku]] = []
    templates: list[tuple[str, str | None, str | None]] = []
    for s_index, service in enumerate(services):
        for kind in service.resources:
            k_index = len(kind_rows)
            variant_start = len(skus)
            skus.extend((k_index, sku) for sku in kind.variants)
            meter_start = len(skus)
            skus.extend((k_index, sku) for sku in kind.meters)
            kind_rows.append(
                (
                    s_index,
                    kind.weight,
                    kind.zonal,
                    variant_start,
                    len(kind.variants),
                    meter_start,
                    len(kind.meters),
                )
            )
            templates.append((kind.id_template, kind.name_template, kind.resource_type))
    zones: list[str] = []
    zone_start, zone_count = [], []
    for region in catalog.regions:
        zone_start.append(len(zones))
        zone_count.append(len(region.zones))
        zones.extend(region.zones)
    kinds = np.array(kind_rows, dtype=object)

    def sku_array(field: str, dtype: object) -> np.ndarray:
        return np.array([getattr(s, field) for _, s in skus], dtype=dtype)

    return CatalogTables(
        catalog=catalog,
        service_name=np.array([s.name for s in services]),
        service_category=np.array([s.category for s in services]),
        service_subcategory=np.array([s.subcategory for s in services]),
        service_code=np.array([s.service_code or "" for s in services]),
        service_publisher=np.array([s.publisher_name or "" for s in services]),
        service_host=np.array([s.host_provider_name or s.publisher_name or "" for s in services]),
        service_third_party=np.array([s.billed_by_publisher for s in services], dtype=bool),
        service_regional=np.array([s.regional for s in services]),
        service_weight=np.array([s.weight for s in services], dtype=float),
        kind_service=kinds[:, 0].astype(np.int32),
        kind_weight=kinds[:, 1].astype(float),
        kind_zonal=kinds[:, 2].astype(bool),
        kind_variant_start=kinds[:, 3].astype(np.int32),
        kind_variant_count=kinds[:, 4].astype(np.int32),
        kind_meter_start=kinds[:, 5].astype(np.int32),
        kind_meter_count=kinds[:, 6].astype(np.int32),
        kind_templates=templates,
        sku_kind=np.array([k for k, _ in skus], dtype=np.int32),
        sku_id=sku_array("sku_id", str),
        sku_price_id=sku_array("price_id", str),
        sku_meter=sku_array("meter", str),
        sku_description=[s.description for _, s in skus],
        sku_pricing_unit=sku_array("pricing_unit", str),
        sku_consumed_unit=sku_array("consumed_unit", str),
        sku_block_size=sku_array("block_size", float),
        sku_list_price=sku_array("list_price", float),
        sku_usage=np.array([USAGE_CODES[s.usage] for _, s in skus], dtype=np.int8),
        sku_qty=sku_array("qty", float),
        sku_spread=sku_array("spread", float),
        sku_weight=sku_array("weight", float),
        sku_commitment=np.array([COMMITMENT_CODES[s.commitment] for _, s in skus], dtype=np.int8),
        sku_spot=sku_array("spot", bool),
        sku_normalization=sku_array("normalization", float),
        sku_family=_families(skus),
        sku_details=np.array([_details_json(s) for _, s in skus], dtype=object),
        region_id=np.array([r.id for r in catalog.regions]),
        region_name=np.array([r.name for r in catalog.regions]),
        region_price_factor=np.array([r.price_factor for r in catalog.regions], dtype=float),
        region_weight=np.array([r.weight for r in catalog.regions], dtype=float),
        region_zone_start=np.array(zone_start, dtype=np.int32),
        region_zone_count=np.array(zone_count, dtype=np.int32),
        zone_name=np.array(zones if zones else [""]),
    )
