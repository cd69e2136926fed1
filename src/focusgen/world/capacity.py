"""Capacity reservations: reserved instances of one type in one zone, used or left idle."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from focusgen.catalog.tables import CatalogTables
from focusgen.providers.idgen import fill, hex_text
from focusgen.world.identity import bare_account
from focusgen.world.keys import unique_rows
from focusgen.world.model import RUNTIME

ID_TEMPLATES = {
    "aws": "arn:aws:ec2:{region}:{account}:capacity-reservation/cr-{hex17}",
    "azure": "/subscriptions/{account}/resourcegroups/rg-capacity/providers/"
    "microsoft.compute/capacityreservationgroups/crg-{region}/capacityreservations/cr-{hex8}",
    "gcp": "projects/{account}/zones/{zone}/reservations/res-{hex8}",
    "oci": "ocid1.capacityreservation.oc1.{region}.{hex32}",
}


@dataclass
class CapacityReservations:
    """Reservations of ``capacity`` instances of ``sku`` in ``zone`` for the whole run."""

    sub: np.ndarray
    service: np.ndarray
    sku: np.ndarray
    region: np.ndarray
    zone: np.ndarray
    capacity: np.ndarray
    list_price: np.ndarray
    contracted_price: np.ndarray
    id: pa.Array  # text

    def __len__(self) -> int:
        return len(self.sub)


def empty_reservations() -> CapacityReservations:
    """No capacity reservations."""
    i32, f64 = np.zeros(0, np.int32), np.zeros(0)
    return CapacityReservations(i32, i32, i32, i32, i32, f64, f64, f64, pa.array([], pa.string()))


def choose_reservations(
    rng: np.random.Generator,
    tables: CatalogTables,
    sku: np.ndarray,
    sub: np.ndarray,
    service: np.ndarray,
    region: np.ndarray,
    zone: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    qty: np.ndarray,
    spot: np.ndarray,
    listed: np.ndarray,
    contracted: np.ndarray,
    sub_ids: np.ndarray,
    limit: int,
) -> tuple[CapacityReservations, np.ndarray]:
    """Group zonal always-on instances by (sub-account, zone, SKU) and reserve a few groups.

    Each reservation holds one instance more than its peak use, so every period has an
    unused part; returns the reservations and each line's reservation index (-1 = none).
    """
    line_cr = np.full(len(sku), -1, dtype=np.int32)
    eligible = (
        (tables.sku_usage[sku] == RUNTIME) & (tables.sku_commitment[sku] == 1) & (zone >= 0) & ~spot
    )
    if limit <= 0 or not eligible.any():
        return empty_reservations(), line_cr
    members = np.flatnonzero(eligible)
    keys = np.stack([sub[members], zone[members], sku[members]], axis=1)
    unique, inverse = unique_rows(keys, return_inverse=True)
    sizes = np.bincount(inverse)
    # Reserve for fleets of three or more instances, so one spare is a modest idle share.
    ranked = list(np.argsort(-sizes, kind="stable"))
    order = [g for g in ranked if sizes[g] >= 3] or ranked
    chosen = [g for g in order if rng.random() < 0.5][:limit] or order[:1]
    rows = []
    for index, group in enumerate(chosen):
        lines = members[inverse == group]
        line_cr[lines] = index
        times = np.concatenate([start[lines], end[lines]])
        delta = np.concatenate([qty[lines], -qty[lines]])
        order = np.lexsort((delta, times))
        peak = float(np.max(np.cumsum(delta[order])))
        first = lines[0]
        rows.append(
            (
                unique[group][0],
                service[first],
                unique[group][2],
                region[first],
                unique[group][1],
                np.ceil(peak) + 1.0,
                listed[first],
                contracted[first],
            )
        )
    if not rows:
        return empty_reservations(), line_cr
    cols = list(zip(*rows, strict=True))
    reservations = CapacityReservations(
        sub=np.array(cols[0], np.int32),
        service=np.array(cols[1], np.int32),
        sku=np.array(cols[2], np.int32),
        region=np.array(cols[3], np.int32),
        zone=np.array(cols[4], np.int32),
        capacity=np.array(cols[5], float),
        list_price=np.array(cols[6], float),
        contracted_price=np.array(cols[7], float),
        id=pa.nulls(len(rows), pa.string()),  # named below, from these columns
    )
    reservations.id = _ids(rng, tables, reservations, sub_ids)
    return reservations, line_cr


def _ids(
    rng: np.random.Generator, tables: CatalogTables, r: CapacityReservations, sub_ids: np.ndarray
) -> pa.Array:
    k = len(r)
    values = {
        "account": lambda: bare_account(sub_ids[r.sub]),
        "region": lambda: tables.region_id[r.region],
        "zone": lambda: np.where(
            r.zone >= 0, tables.zone_name[np.maximum(r.zone, 0)], tables.region_id[r.region]
        ),
        "hex8": lambda: hex_text(rng, k, 8),
        "hex17": lambda: hex_text(rng, k, 17),
        "hex32": lambda: hex_text(rng, k, 32),
    }
    return fill(ID_TEMPLATES[tables.catalog.provider], values, k)
