"""Month-end rows of a provider: tax per (sub-account, service), credits and support fees."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from focusgen.engine.arrow import coded, constant, decimals, strings
from focusgen.engine.blocks import (
    CATEGORY_CODES,
    common_columns,
    cost_columns,
    invoice_detail_columns,
    row_fx,
    service_columns,
    unit_price_columns,
)
from focusgen.engine.canonical import to_table
from focusgen.engine.credits import CREDIT_SHARE_OF_BILL, credits_in_usage
from focusgen.engine.statics import statics
from focusgen.world.corrections import correction_pairs, sla_credit_pairs
from focusgen.world.keys import distinct
from focusgen.world.model import ProviderWorld

SUPPORT_MINIMUM_USD = 100.0


def build_closing(pw: ProviderWorld, month: int, sums: np.ndarray) -> pa.Table:
    """Tax, credit and support rows of one billing period, derived from its charges' sums."""
    parts = [
        _tax(pw, month, sums),
        _credits(pw, month, sums),
        _support(pw, month, sums),
        _corrections(pw, month),
        _sla_credits(pw, month, sums),
    ]
    return pa.concat_tables([p for p in parts if p is not None]).unify_dictionaries()


def _period(pw: ProviderWorld, month: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    bounds = pw.timeline.month_bounds_us
    return np.full(n, bounds[month], dtype=np.int64), np.full(n, bounds[month + 1], dtype=np.int64)


def _tax(pw: ProviderWorld, month: int, sums: np.ndarray) -> pa.Table | None:
    pairs = pw.tax_pairs[pw.tax_pairs[:, 0] == month]
    n = len(pairs)
    if not n:
        return None
    sub, service = pairs[:, 1], pairs[:, 2]
    rate = pw.tables.catalog.tax_rate
    base = sums[sub, service]
    st = statics(pw)
    start, end = _period(pw, month, n)
    cols = common_columns(pw, st, month, sub, start, end)
    cols.update(service_columns(st, service))
    cols.update(invoice_detail_columns(pw, st, month, sub, service, "Tax"))
    cols.update(
        cost_columns(
            *(np.round(base[:, j] * rate, 10) for j in range(4)), fx=row_fx(pw, sub, month)
        )
    )
    template = pw.tables.catalog.tax_description
    texts = [
        template.format(service=pw.services.name[s], service_code=pw.services.code[s])
        for s in range(len(pw.services.name))
    ]
    cols.update(
        {
            "ChargeCategory": constant("Tax", n),
            "ChargeDescription": coded(service, strings(texts)),
            "ChargeFrequency": constant("Recurring", n),
        }
    )
    return to_table(cols, n)


def _credits(pw: ProviderWorld, month: int, sums: np.ndarray) -> pa.Table | None:
    if credits_in_usage(pw):
        return None  # folded into the usage rows (x_Credits)
    pairs = pw.tax_pairs[pw.tax_pairs[:, 0] == month]
    subs = distinct(pairs[:, 1])
    subs = subs[pw.org.sub_credited[subs]]
    n = len(subs)
    if not n:
        return None
    billed = sums[subs, :, 2]
    service = np.argmax(billed, axis=1)
    amount = -np.round(billed.sum(axis=1) * CREDIT_SHARE_OF_BILL, 2)
    description = constant(pw.tables.catalog.credit_description, n)
    return _credit_rows(pw, month, subs, service, amount, description)


def _credit_rows(
    pw: ProviderWorld,
    month: int,
    sub: np.ndarray,
    service: np.ndarray,
    amount: np.ndarray,
    description: pa.Array,
) -> pa.Table:
    """Credit rows (unrelated to other charges: every cost equals the credited amount)."""
    n = len(sub)
    st = statics(pw)
    start, end = _period(pw, month, n)
    cols = common_columns(pw, st, month, sub, start, end)
    cols.update(service_columns(st, service))
    cols.update(invoice_detail_columns(pw, st, month, sub, service, "Credit"))
    cols.update(cost_columns(amount, amount, amount, amount, row_fx(pw, sub, month)))
    cols.update(
        {
            "ChargeCategory": constant("Credit", n),
            "ChargeDescription": description,
            "ChargeFrequency": constant("One-Time", n),
        }
    )
    return to_table(cols, n)


def _support(pw: ProviderWorld, month: int, sums: np.ndarray) -> pa.Table | None:
    if pw.tables.catalog.support_rate <= 0:
        return None  # support included in the subscription: no fee rows
    pairs = pw.tax_pairs[pw.tax_pairs[:, 0] == month]
    org = pw.org
    accounts = distinct(org.sub_billing[distinct(pairs[:, 1])])
    n = len(accounts)
    if not n:
        return None
    billed_by_sub = sums[:, :, 2].sum(axis=1)
    billed = np.bincount(org.sub_billing, weights=billed_by_sub, minlength=len(org.billing_id))
    rate = pw.tables.catalog.support_rate
    minimum = SUPPORT_MINIMUM_USD * pw.fx_base[accounts]
    fee = np.round(np.maximum(billed[accounts] * rate, minimum), 2)
    payer = np.array([np.flatnonzero(org.sub_billing == a)[0] for a in accounts])
    st = statics(pw)
    start, end = _period(pw, month, n)
    cols = common_columns(pw, st, month, payer, start, end)
    support_service = np.full(n, pw.services.support_index)
    cols.update(service_columns(st, support_service))
    cols.update(invoice_detail_columns(pw, st, month, payer, support_service, "Purchase"))
    fx = row_fx(pw, payer, month)
    cols.update(cost_columns(fee, fee, fee, fee, fx))
    cols.update(unit_price_columns(fee, fee, fx=fx))
    support = pw.tables.catalog.support_service
    cols.update(
        {
            "ChargeCategory": constant("Purchase", n),
            "ChargeDescription": constant(f"{support} monthly fee", n),
            "ChargeFrequency": constant("Recurring", n),
            "PricingCategory": constant("Standard", n),
            "PricingQuantity": decimals(1.0, n),
            "PricingUnit": constant("Months", n),
            "SkuId": constant(f"{pw.provider.upper()}-SUPPORT", n),
            "SkuPriceId": constant(f"{pw.provider.upper()}-SUPPORT-MONTHLY", n),
            "SkuMeter": constant("Support", n),
        }
    )
    return to_table(cols, n)


def _corrections(pw: ProviderWorld, month: int) -> pa.Table | None:
    """Corrections of the previous, closed billing period: refunds and credit reversals.

    Each keeps its own ChargeCategory, carries ChargeClass "Correction", is billed in this
    billing period and keeps the corrected charge period (the previous month).
    """
    chosen = correction_pairs(pw.tax_pairs, pw.timeline.months)
    chosen = chosen[chosen[:, 0] == month]
    n = len(chosen)
    if not n:
        return None
    sub, service, per_mille = chosen[:, 1], chosen[:, 2], chosen[:, 3]
    reversal = (chosen[:, 4] == 1) & pw.org.sub_credited[sub]
    base = _expected_pair_cost(pw, month - 1)[sub, service]
    amount = np.maximum(0.01, np.round(base * per_mille / 1000.0, 2))
    amount = np.where(reversal, amount * 0.3, -amount)
    st = statics(pw)
    bounds = pw.timeline.month_bounds_us
    start = np.full(n, bounds[month - 1], dtype=np.int64)
    end = np.full(n, bounds[month], dtype=np.int64)
    cols = common_columns(pw, st, month, sub, start, end)
    cols.update(service_columns(st, service))
    category = np.where(reversal, CATEGORY_CODES["Credit"], CATEGORY_CODES["Usage"])
    cols.update(invoice_detail_columns(pw, st, month, sub, service, category))
    cols.update(cost_columns(amount, amount, amount, amount, row_fx(pw, sub, month)))
    label = pw.timeline.month_label(month - 1)
    texts = strings(
        [
            f"Refund of re-rated usage for {label}",
            f"Reversal of promotional credit applied in {label}",
        ]
    )
    cols.update(
        {
            "ChargeCategory": coded(reversal.astype(np.int32), strings(["Usage", "Credit"])),
            "ChargeClass": constant("Correction", n),
            "ChargeDescription": coded(reversal.astype(np.int32), texts),
            "ChargeFrequency": coded(
                reversal.astype(np.int32), strings(["Usage-Based", "One-Time"])
            ),
        }
    )
    return to_table(cols, n)


def _expected_pair_cost(pw: ProviderWorld, month: int) -> np.ndarray:
    """Expected contracted cost per (sub-account, service) in a billing period."""
    from focusgen.world.anomalies import expected_line_cost

    bounds = pw.timeline.month_bounds
    lines = pw.lines
    overlap = np.maximum(
        0, np.minimum(lines.end, bounds[month + 1]) - np.maximum(lines.start, bounds[month])
    )
    cost = expected_line_cost(pw, np.arange(len(lines))) * overlap
    shape = (len(pw.org.sub_id), len(pw.services.name))
    key = lines.sub.astype(np.int64) * shape[1] + lines.service
    return np.bincount(key, weights=cost, minlength=shape[0] * shape[1]).reshape(shape)


def _sla_credits(pw: ProviderWorld, month: int, sums: np.ndarray) -> pa.Table | None:
    """Service-level credits: a share of a service's month back after an outage."""
    chosen = sla_credit_pairs(pw.tax_pairs)
    chosen = chosen[chosen[:, 0] == month]
    n = len(chosen)
    if not n:
        return None
    sub, service, per_mille = chosen[:, 1], chosen[:, 2], chosen[:, 3]
    amount = -np.maximum(0.01, np.round(np.abs(sums[sub, service, 2]) * per_mille / 1000.0, 2))
    texts = strings(
        [f"SLA credit: {name} availability below commitment" for name in pw.services.name]
    )
    return _credit_rows(pw, month, sub, service, amount, coded(service, texts))
