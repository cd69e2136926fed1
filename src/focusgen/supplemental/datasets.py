"""Supplemental FOCUS datasets: Contract Commitment (1.3+), Billing Period, Invoice Detail (1.4)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa

from focusgen.engine.statics import CATEGORY_NAMES, contract_ids, invoice_detail_ids, statics
from focusgen.focus.spec import columns
from focusgen.supplemental import ExtraOutput
from focusgen.world.model import USAGE_COMMITMENT, ProviderWorld

DAY_US = 86_400_000_000
_TYPES = {
    "String": pa.string(),
    "JSON": pa.string(),
    "Decimal": pa.float64(),
    "Date/Time": pa.timestamp("us", tz="UTC"),
}


def _table(version: str, dataset: str, data: dict[str, list]) -> pa.Table:
    """A table with exactly the dataset's columns, in order, typed per the spec."""
    specs = columns(version, dataset)
    n = len(next(iter(data.values()))) if data else 0
    arrays = []
    for spec in specs:
        values = data.get(spec.name, [None] * n)
        arrays.append(pa.array(values, type=_TYPES[spec.type]))
    return pa.Table.from_arrays(arrays, names=[s.name for s in specs])


def _ts(micros: int) -> datetime:
    return datetime.fromtimestamp(micros / 1_000_000, tz=UTC)


def contract_commitments(pw: ProviderWorld, version: str) -> pa.Table:
    """One record per commitment (the contract term), linked from ContractApplied."""
    c = pw.commitments
    tl = pw.timeline
    st = statics(pw)
    hours = tl.period_hours
    is_usage = c.kind == USAGE_COMMITMENT
    term_start = tl.origin_us + c.start.astype(np.int64) * tl.period_us
    term_end = term_start + c.term_hours.astype(np.int64) * 3_600_000_000
    cost = c.rate * c.capacity * c.term_hours
    window_end = int(tl.month_bounds_us[-1])
    contracts = contract_ids(pw)
    contract_start = min([int(tl.origin_us), *term_start.tolist()]) - 30 * DAY_US
    contract_end = max([window_end, *term_end.tolist()]) + 365 * DAY_US
    types = st.commitment_type.to_pylist()
    descriptions = st.commitment_description.to_pylist()
    payment = np.array(["All Upfront", "Partial Upfront", "No Upfront"])[c.payment]
    regions = np.where(c.region >= 0, pw.tables.region_id[np.maximum(c.region, 0)], "")
    applicability = []
    for i in range(len(c)):
        inclusions = [
            {"Dimension": "BillingAccountId", "Values": [str(pw.org.billing_id[c.billing[i]])]}
        ]
        if is_usage[i]:
            inclusions += [
                {"Dimension": "SkuId", "Values": [str(c.sku_id[i])]},
                {"Dimension": "RegionId", "Values": [str(regions[i])]},
            ]
        else:
            inclusions.append({"Dimension": "ServiceCategory", "Values": ["Compute"]})
        applicability.append(
            json.dumps(
                {
                    "IsGlobalScope": False,
                    "IsComplexScope": False,
                    "Applicability": {"Cost": 1.0},
                    "Inclusions": inclusions,
                },
                separators=(",", ":"),
            )
        )
    data = {
        "BillingCurrency": pw.billing_currency[c.billing].tolist() if len(c) else [],
        "ContractCommitmentApplicability": applicability,
        "ContractCommitmentBenefitCategory": ["Discount"] * len(c),
        "ContractCommitmentCategory": ["Usage" if u else "Spend" for u in is_usage],
        "ContractCommitmentCost": cost.tolist(),
        "ContractCommitmentCreated": [_ts(int(t) - DAY_US) for t in term_start],
        "ContractCommitmentDescription": [
            f"{d} {p}" for d, p in zip(descriptions, payment, strict=True)
        ],
        "ContractCommitmentDiscountPercentage": np.round(
            1 - np.where(is_usage, c.list_rate / np.maximum(c.unit_list, 1e-12), 0.7), 4
        ).tolist(),
        "ContractCommitmentDurationType": [
            "1 Year" if h == 8760 else "3 Years" for h in c.term_hours
        ],
        "ContractCommitmentFulfillmentInterval": ["Hourly"] * len(c),
        "ContractCommitmentId": c.id.tolist(),
        "ContractCommitmentLastUpdated": [_ts(min(window_end, int(t))) for t in term_end],
        "ContractCommitmentLifecycleStatus": [
            "Active" if e > window_end else "Expired" for e in term_end
        ],
        "ContractCommitmentModel": ["Continuous"] * len(c),
        "ContractCommitmentOfferCategory": ["Public"] * len(c),
        "ContractCommitmentPaymentInterval": [
            "One-Time" if p == 0 else "Monthly" for p in c.payment
        ],
        "ContractCommitmentPaymentModel": payment.tolist(),
        "ContractCommitmentPaymentUpfrontPercentage": c.upfront.tolist(),
        "ContractCommitmentPeriodEnd": [_ts(int(t)) for t in term_end],
        "ContractCommitmentPeriodStart": [_ts(int(t)) for t in term_start],
        "ContractCommitmentQuantity": np.where(
            is_usage, c.capacity * c.term_hours, np.nan
        ).tolist(),
        "ContractCommitmentType": types,
        "ContractCommitmentUnit": ["Normalized Hours" if u else None for u in is_usage],
        "ContractId": contracts[c.billing].tolist() if len(c) else [],
        "ContractPeriodEnd": [_ts(contract_end)] * len(c),
        "ContractPeriodStart": [_ts(contract_start)] * len(c),
        "InvoiceIssuerName": [pw.tables.catalog.invoice_issuer_name] * len(c),
        "PricingCurrency": ["USD"] * len(c),
        "PricingCurrencyContractCommitmentCost": (cost / pw.fx_base[c.billing]).tolist()
        if len(c)
        else [],
        "ServiceProviderName": [pw.tables.catalog.provider_name] * len(c),
    }
    data["ContractCommitmentQuantity"] = [
        None if np.isnan(q) else q for q in data["ContractCommitmentQuantity"]
    ]
    del hours
    return _table(version, "ContractCommitment", data)


def billing_periods(pw: ProviderWorld, version: str) -> pa.Table:
    """One record per billing period: closed once the month is over, the last one open."""
    tl = pw.timeline
    bounds = tl.month_bounds_us
    months = tl.months
    issuer = pw.tables.catalog.invoice_issuer_name
    return _table(
        version,
        "BillingPeriod",
        {
            "BillingPeriodCreated": [_ts(int(bounds[m])) for m in range(months)],
            "BillingPeriodEnd": [_ts(int(bounds[m + 1])) for m in range(months)],
            "BillingPeriodLastUpdated": [
                _ts(int(bounds[m + 1]) + (3 * DAY_US if m < months - 1 else -DAY_US))
                for m in range(months)
            ],
            "BillingPeriodStart": [_ts(int(bounds[m])) for m in range(months)],
            "BillingPeriodStatus": ["Closed" if m < months - 1 else "Open" for m in range(months)],
            "InvoiceIssuerName": [issuer] * months,
        },
    )


def invoice_details(pw: ProviderWorld, version: str, ledger: dict[str, float]) -> pa.Table:
    """Invoice lines (invoice x service x charge category) with the billed sums of their rows."""
    ids = invoice_detail_ids(pw)
    tl = pw.timeline
    bounds = tl.month_bounds_us
    position = {str(v): i for i, v in enumerate(ids.ravel())}
    present = sorted((position[k], k) for k in ledger if k in position)
    shape = ids.shape
    rows: dict[str, list] = {
        name: []
        for name in (
            "BilledCost",
            "BillingAccountId",
            "BillingCurrency",
            "BillingPeriodEnd",
            "BillingPeriodStart",
            "ChargeCategory",
            "InvoiceDetailCreated",
            "InvoiceDetailDescription",
            "InvoiceDetailGrain",
            "InvoiceDetailId",
            "InvoiceDetailLastUpdated",
            "InvoiceId",
            "InvoiceIssueDate",
            "InvoiceIssuerName",
            "InvoiceIssueStatus",
            "PaymentCurrency",
            "PaymentCurrencyBilledCost",
            "PaymentCurrencyInvoiceDetailId",
            "PaymentDueDate",
            "PaymentTerms",
            "PurchaseOrderNumber",
            "ReferenceInvoiceId",
        )
    }
    issuer = pw.tables.catalog.invoice_issuer_name
    for flat, line_id in present:
        billing, month, service, category = np.unravel_index(flat, shape)
        closed = month < tl.months - 1
        end = int(bounds[month + 1])
        issued = end + 2 * DAY_US
        billed = round(ledger[line_id], 10)
        service_name = str(pw.services.name[service])
        rows["BilledCost"].append(billed)
        rows["BillingAccountId"].append(str(pw.org.billing_id[billing]))
        rows["BillingCurrency"].append(str(pw.billing_currency[billing]))
        rows["BillingPeriodEnd"].append(_ts(end))
        rows["BillingPeriodStart"].append(_ts(int(bounds[month])))
        rows["ChargeCategory"].append(CATEGORY_NAMES[category])
        rows["InvoiceDetailCreated"].append(_ts(issued if closed else end - DAY_US))
        rows["InvoiceDetailDescription"].append(f"{service_name} {CATEGORY_NAMES[category]}")
        rows["InvoiceDetailGrain"].append(json.dumps({"ServiceName": service_name}))
        rows["InvoiceDetailId"].append(line_id)
        rows["InvoiceDetailLastUpdated"].append(_ts(issued if closed else end - DAY_US))
        rows["InvoiceId"].append(str(pw.invoice_ids[billing, month]))
        rows["InvoiceIssueDate"].append(_ts(issued) if closed else None)
        rows["InvoiceIssuerName"].append(issuer)
        rows["InvoiceIssueStatus"].append("Issued" if closed else "Open")
        rows["PaymentCurrency"].append(str(pw.billing_currency[billing]))
        rows["PaymentCurrencyBilledCost"].append(billed)
        rows["PaymentCurrencyInvoiceDetailId"].append(line_id)
        rows["PaymentDueDate"].append(_ts(issued + 30 * DAY_US) if closed else None)
        rows["PaymentTerms"].append("Net 30")
        rows["PurchaseOrderNumber"].append(f"PO-{billing + 1:03d}-{tl.month_label(month)}")
        rows["ReferenceInvoiceId"].append(str(pw.invoice_ids[billing, month]))
    return _table(version, "InvoiceDetail", rows)


def supplemental_outputs(world, scenario, totals) -> list[ExtraOutput]:
    """The supplemental datasets the chosen FOCUS version defines, one file per provider."""
    version = scenario.focus_version
    if version not in ("1.3", "1.4"):
        return []
    out = []
    for pw in world.providers:
        out.append(
            ExtraOutput(
                f"supplemental/ContractCommitment/{pw.provider}",
                table=contract_commitments(pw, version),
            )
        )
        if version == "1.4":
            out.append(
                ExtraOutput(
                    f"supplemental/BillingPeriod/{pw.provider}", table=billing_periods(pw, version)
                )
            )
            ledger = totals.invoice_lines.get(pw.provider, {}) if totals is not None else {}
            out.append(
                ExtraOutput(
                    f"supplemental/InvoiceDetail/{pw.provider}",
                    table=invoice_details(pw, version, ledger),
                )
            )
    return out
