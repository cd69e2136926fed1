"""Load and check a provider's catalog data file."""

from __future__ import annotations

import os
from functools import cache
from importlib import resources
from pathlib import Path

from focusgen.catalog.model import Catalog
from focusgen.focus.spec import service_categories, subcategory_parents
from focusgen.focus.units import is_unit
from focusgen.yamltext import parsed_yaml


class CatalogError(ValueError):
    """A catalog data file breaks a rule the generator relies on."""


@cache
def load_catalog(provider: str) -> Catalog:
    """The parsed, checked catalog of one provider.

    ``FOCUSGEN_CATALOG_DIR`` may point at a folder of ``<provider>.yaml`` files that
    replace the packaged ones (for custom catalogs).
    """
    override = os.environ.get("FOCUSGEN_CATALOG_DIR")
    if override and (Path(override) / f"{provider}.yaml").is_file():
        text = (Path(override) / f"{provider}.yaml").read_text()
    else:
        text = resources.files("focusgen.catalog").joinpath("data", f"{provider}.yaml").read_text()
    catalog = Catalog.model_validate(parsed_yaml(text, "catalog"))
    check_catalog(catalog)
    return catalog


def check_catalog(catalog: Catalog) -> None:
    """Raise CatalogError when categories, ids or names break the spec or each other."""
    categories = set(service_categories())
    parents = subcategory_parents()
    names: set[str] = set()
    sku_ids: dict[str, str] = {}
    for service in catalog.services:
        where = f"{catalog.provider}: service {service.name!r}"
        if service.name in names:
            raise CatalogError(f"{where}: listed twice")
        names.add(service.name)
        if service.category not in categories:
            raise CatalogError(f"{where}: unknown ServiceCategory {service.category!r}")
        if parents.get(service.subcategory) != service.category:
            raise CatalogError(
                f"{where}: subcategory {service.subcategory!r} is not a child of "
                f"{service.category!r}"
            )
        legacy_category = service.legacy_category or service.category
        if legacy_category not in categories:
            raise CatalogError(f"{where}: unknown legacy ServiceCategory {legacy_category!r}")
        legacy_sub = service.legacy_subcategory or service.subcategory
        if parents.get(legacy_sub) != legacy_category:
            raise CatalogError(
                f"{where}: legacy subcategory {legacy_sub!r} is not a child of {legacy_category!r}"
            )
        if service.billed_by_publisher and not service.publisher_name:
            raise CatalogError(f"{where}: billed_by_publisher needs a publisher_name")
        if service.publisher_name and any(
            sku.commitment != "none" for k in service.resources for sku in (*k.variants, *k.meters)
        ):
            raise CatalogError(f"{where}: marketplace listings are not commitment-eligible")
        for kind in service.resources:
            if not kind.resource_type:
                raise CatalogError(f"{where}: kind {kind.kind!r} needs a resource_type")
            for sku in [*kind.variants, *kind.meters]:
                for unit in (sku.pricing_unit, sku.consumed_unit):
                    if not is_unit(unit):
                        raise CatalogError(f"{where}: unit {unit!r} breaks the FOCUS UnitFormat")
                previous = sku_ids.get(sku.price_id)
                if previous is not None and previous != sku.sku_id:
                    raise CatalogError(f"{where}: price id {sku.price_id!r} has two SKU ids")
                sku_ids[sku.price_id] = sku.sku_id
    for region in catalog.regions:
        if not region.name.isascii():
            raise CatalogError(f"{catalog.provider}: region name {region.name!r} is not ASCII")
    if (catalog.global_region_id is None) != (catalog.global_region_name is None):
        raise CatalogError(
            f"{catalog.provider}: global_region_id and global_region_name go together"
        )
    if catalog.global_region_id in {r.id for r in catalog.regions}:
        raise CatalogError(f"{catalog.provider}: global region id is also a region")
    if catalog.support_service in names:
        raise CatalogError(f"{catalog.provider}: support service must not be a usage service")
