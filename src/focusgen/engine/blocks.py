"""Columns shared by every row kind: parties, accounts, periods, invoice, currency."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from focusgen.engine import kernels as pc
from focusgen.engine.arrow import (
    coded,
    constant,
    constant_timestamps,
    strings,
    timestamps,
)
from focusgen.engine.fromnumpy import from_numpy
from focusgen.engine.statics import Statics
from focusgen.focus.dialect import version_columns
from focusgen.world.model import ProviderWorld

PRICING_CURRENCY = "USD"  # the catalogs' list prices are US dollars


def common_columns(
    pw: ProviderWorld,
    st: Statics,
    month: int,
    sub: np.ndarray,
    period_start_us: np.ndarray,
    period_end_us: np.ndarray,
) -> dict[str, pa.Array]:
    """Account, party, billing-period, charge-period, invoice and currency columns."""
    n = len(sub)
    catalog = pw.tables.catalog
    bounds = pw.timeline.month_bounds_us
    billing = pw.org.sub_billing[sub]
    return {
        "BillingAccountId": coded(billing, st.billing_id),
        "BillingAccountName": coded(billing, st.billing_name),
        "BillingAccountType": constant(catalog.billing_account_type, n),
        "BillingCurrency": coded(billing, st.billing_currency),
        "BillingPeriodStart": constant_timestamps(bounds[month], n),
        "BillingPeriodEnd": constant_timestamps(bounds[month + 1], n),
        "ChargePeriodStart": timestamps(period_start_us),
        "ChargePeriodEnd": timestamps(period_end_us),
        "InvoiceId": coded(billing * pw.timeline.months + month, st.invoice_id),
        "InvoiceIssuerName": constant(catalog.invoice_issuer_name, n),
        "ProviderName": constant(catalog.provider_name, n),
        "PublisherName": constant(catalog.publisher_name, n),
        "ServiceProviderName": constant(catalog.provider_name, n),
        "HostProviderName": constant(catalog.host_provider_name or catalog.provider_name, n),
        "PricingCurrency": constant(PRICING_CURRENCY, n),
        "SubAccountId": coded(sub, st.sub_id),
        "SubAccountName": coded(sub, st.sub_name),
        "SubAccountType": constant(catalog.sub_account_type, n),
        "_sub": keys(sub),
    }


def keys(indices: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """A world-key column (sub-account, service, SKU, region, resource index)."""
    return from_numpy(
        np.asarray(indices).astype(np.int32, copy=False), mask=None if valid is None else ~valid
    )


def service_columns(st: Statics, service: np.ndarray) -> dict[str, pa.Array]:
    """ServiceName with its one category and subcategory (and, for marketplace listings,
    their publisher, issuer, service and host provider)."""
    cols = {
        "ServiceName": coded(service, st.service_name),
        "ServiceCategory": coded(service, st.service_category),
        "ServiceSubcategory": coded(service, st.service_subcategory),
        "_service": keys(service),
    }
    if st.parties is not None:
        cols.update({name: coded(service, values) for name, values in st.parties.items()})
    return cols


def row_fx(pw: ProviderWorld, sub: np.ndarray, month: int) -> np.ndarray:
    """Billing-currency units per pricing-currency (USD) unit for each row's account and month."""
    return pw.fx[pw.org.sub_billing[sub], month]


def cost_columns(
    list_cost: np.ndarray,
    contracted_cost: np.ndarray,
    billed: np.ndarray,
    effective: np.ndarray,
    fx: np.ndarray | float = 1.0,
) -> dict[str, pa.Array]:
    """The four cost metrics plus the effective cost in the pricing currency."""
    return {
        "ListCost": from_numpy(list_cost, pa.float64()),
        "ContractedCost": from_numpy(contracted_cost, pa.float64()),
        "BilledCost": from_numpy(billed, pa.float64()),
        "EffectiveCost": from_numpy(effective, pa.float64()),
        "PricingCurrencyEffectiveCost": from_numpy(effective / fx, pa.float64()),
        "_fx": from_numpy(np.broadcast_to(fx, np.shape(effective)), pa.float64()),
    }


def unit_price_columns(
    list_price: np.ndarray,
    contracted_price: np.ndarray,
    valid: np.ndarray | None = None,
    fx: np.ndarray | float = 1.0,
) -> dict[str, pa.Array]:
    """List and contracted unit prices, and the same prices in the pricing currency."""
    mask = None if valid is None else ~valid
    lp = from_numpy(list_price, pa.float64(), mask)
    cp = from_numpy(contracted_price, pa.float64(), mask)
    if np.isscalar(fx) and fx == 1.0:
        plp, pcp = lp, cp
    else:
        plp = from_numpy(list_price / fx, pa.float64(), mask)
        pcp = from_numpy(contracted_price / fx, pa.float64(), mask)
    return {
        "ListUnitPrice": lp,
        "ContractedUnitPrice": cp,
        "PricingCurrencyListUnitPrice": plp,
        "PricingCurrencyContractedUnitPrice": pcp,
    }


CATEGORY_CODES = {"Usage": 0, "Purchase": 1, "Tax": 2, "Credit": 3, "Adjustment": 4}


def invoice_detail_columns(
    pw: ProviderWorld,
    st: Statics,
    month: int,
    sub: np.ndarray,
    service: np.ndarray,
    category: str | np.ndarray,
) -> dict[str, pa.Array]:
    """InvoiceDetailId: the invoice line (invoice x service x charge category) a row rolls into."""
    if "InvoiceDetailId" not in version_columns(pw.focus_version):
        return {}
    code = np.full(len(sub), CATEGORY_CODES[category]) if isinstance(category, str) else category
    billing = pw.org.sub_billing[sub].astype(np.int64)
    index = ((billing * pw.timeline.months + month) * len(pw.services.name) + service) * 5 + code
    return {"InvoiceDetailId": coded(index, st.invoice_detail_id)}


def contract_applied(
    version: str,
    commitment: np.ndarray,
    commitment_ids: np.ndarray,
    contract_ids: np.ndarray,
    cost: np.ndarray,
    quantity: np.ndarray,
    unit: np.ndarray,
    valid: np.ndarray,
) -> pa.Array:
    """ContractApplied JSON for rows that consume or pay for a contract commitment.

    ``commitment`` is each row's commitment index; the JSON text is joined in Arrow for the
    valid rows only and the column refers to it by index.
    """
    pick = np.flatnonzero(valid)
    who = commitment[pick]
    # 1.3 defines four element keys; 1.4's schema adds ContractId.
    contract = (
        [
            '{"Elements":[{"ContractId":"',
            strings(contract_ids[who]),
            '","ContractCommitmentId":"',
        ]
        if version not in ("1.0", "1.1", "1.2", "1.3")
        else ['{"Elements":[{"ContractCommitmentId":"']
    )
    text = pc.binary_join_element_wise(
        *contract,
        strings(commitment_ids[who]),
        '","ContractCommitmentAppliedCost":',
        pc.cast(from_numpy(cost[pick]), pa.string()),
        ',"ContractCommitmentAppliedQuantity":',
        pc.cast(from_numpy(quantity[pick]), pa.string()),
        ',"ContractCommitmentAppliedUnit":"',
        strings(unit[who]),
        '"}]}',
        "",
    )
    position = np.zeros(len(valid), dtype=np.int32)
    position[pick] = np.arange(len(pick), dtype=np.int32)
    return coded(position, text, valid)
