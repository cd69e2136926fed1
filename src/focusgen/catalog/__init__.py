"""Provider catalogs (services, SKUs, prices, regions) as data files, and their loaders."""

from focusgen.catalog.loader import load_catalog
from focusgen.catalog.model import Catalog

__all__ = ["Catalog", "load_catalog"]
