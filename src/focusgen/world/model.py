"""Columnar containers for one provider's organisation, resource lines and commitments."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from focusgen.catalog.tables import CatalogTables
from focusgen.engine.timeline import Timeline

RUNTIME, STORAGE, METERED = 0, 1, 2
USAGE_COMMITMENT, SPEND_COMMITMENT = 1, 2
SHAPES = ("steady", "diurnal", "bursty", "growing")


@dataclass
class Org:
    """Billing accounts, sub-accounts and applications of one provider."""

    billing_id: np.ndarray
    billing_name: np.ndarray
    sub_id: np.ndarray
    sub_name: np.ndarray
    sub_billing: np.ndarray
    sub_credited: np.ndarray
    app_name: np.ndarray
    app_team: np.ndarray
    app_cost_centre: np.ndarray


@dataclass
class Services:
    """Usage services plus the synthetic ones (spend commitments, support)."""

    name: np.ndarray
    category: np.ndarray
    subcategory: np.ndarray
    code: np.ndarray
    spend_index: int
    support_index: int


@dataclass
class Lines:
    """One entry per (resource, SKU) line item; a line yields one usage row per active period."""

    resource: np.ndarray
    sku: np.ndarray
    service: np.ndarray
    sub: np.ndarray
    region: np.ndarray
    zone: np.ndarray
    start: np.ndarray
    end: np.ndarray
    qty: np.ndarray
    shape: np.ndarray
    spot: np.ndarray
    commitment: np.ndarray
    list_price: np.ndarray
    contracted_price: np.ndarray
    commit_rate: np.ndarray
    shares: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))
    reservation: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    renewal: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    alloc_app: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), dtype=np.int32))
    alloc_ratio: np.ndarray = field(default_factory=lambda: np.zeros((0, 3)))

    def __len__(self) -> int:
        return len(self.resource)


@dataclass
class Resources:
    """Per-resource identity, fixed for the resource's life."""

    id: pa.Array  # text, one per resource
    name: pa.Array
    # ResourceType and Tags repeat across resources: each resource's code into their texts
    # (a kind's type; a distinct tag object), so chunk dictionaries hold each text once.
    type_code: np.ndarray
    type_texts: pa.Array
    type_valid: np.ndarray
    tag_code: np.ndarray
    tag_texts: pa.Array
    tags_valid: np.ndarray
    app: np.ndarray
    env: np.ndarray


@dataclass
class Commitments:
    """Commitment discounts (reserved capacity or spend per hour) with their terms."""

    kind: np.ndarray
    billing: np.ndarray
    sub: np.ndarray
    sku: np.ndarray
    region: np.ndarray
    service: np.ndarray
    capacity: np.ndarray
    rate: np.ndarray
    list_rate: np.ndarray
    unit_list: np.ndarray
    unit_contracted: np.ndarray
    start: np.ndarray
    end: np.ndarray
    term_hours: np.ndarray
    upfront: np.ndarray
    payment: np.ndarray
    id: np.ndarray
    name: np.ndarray
    sku_id: np.ndarray
    sku_price_id: np.ndarray

    def __len__(self) -> int:
        return len(self.kind)


@dataclass
class ProviderWorld:
    """Everything one provider contributes to the run, built once before any chunk."""

    provider: str
    index: int
    tables: CatalogTables
    timeline: Timeline
    currency: str
    org: Org
    services: Services
    lines: Lines
    resources: Resources
    commitments: Commitments
    tax_pairs: np.ndarray
    expected_rows: int
    invoice_ids: np.ndarray = field(default_factory=lambda: np.array([], dtype=str))
    trends: list = field(default_factory=list)
    anomalies: list = field(default_factory=list)
    focus_version: str = "1.4"
    billing_currency: np.ndarray = field(default_factory=lambda: np.array(["USD"]))
    fx_base: np.ndarray = field(default_factory=lambda: np.ones(1))
    fx: np.ndarray = field(default_factory=lambda: np.ones((1, 1)))
    reservations: Any = None
    schedule: Any = None


@dataclass
class World:
    """The organisation across providers."""

    timeline: Timeline
    providers: list[ProviderWorld]
    anomalies: list = field(default_factory=list)

    @property
    def expected_rows(self) -> int:
        """Rows the run will write (known before any chunk runs)."""
        return int(sum(p.expected_rows for p in self.providers))
