"""Rules that compare rows with each other: distinct parents, duplicates, commitment sums, links."""

from __future__ import annotations

from collections.abc import Callable

from focusgen.validate.rules import Rule
from focusgen.validate.sqlgen import predicate
from focusgen.validate.typed import TypedView, q

SAMPLES = 3
# Rounding Variance Tolerance (FOCUS 1.4): MAX(100 × Subunit, SQRT(Rows) × 0.5 × Subunit),
# with a subunit of 0.01 (the common minor unit).
SUBUNIT = 0.01


def _tolerance(rows: str) -> str:
    return f"greatest(100 * {SUBUNIT}, sqrt({rows}) * 0.5 * {SUBUNIT})"


def _where(rule: Rule, view: TypedView, version: str) -> str:
    if not rule.condition:
        return "TRUE"
    return f"coalesce({predicate(rule.condition, view, version)}, false)"


def _result(con, sql: str) -> tuple[int, list[dict]]:
    """Run a query returning failing groups; count them and keep a few as samples."""
    cur = con.execute(f"SELECT * FROM ({sql}) LIMIT 10000")
    names = [d[0] for d in cur.description]
    rows = cur.fetchall()
    count = len(rows)
    if count == 10000:
        count = con.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0]
    return count, [dict(zip(names, r, strict=True)) for r in rows[:SAMPLES]]


def distinct_count(con, rule, view, version, views) -> tuple[int, list[dict]]:
    req = rule.requirement
    a, b = q(req["ColumnAName"]), q(req["ColumnBName"])
    sql = (
        f"SELECT {a}, list(DISTINCT {b}) AS values FROM {q(view.name)} "
        f"WHERE {a} IS NOT NULL AND {_where(rule, view, version)} "
        f"GROUP BY {a} HAVING count(DISTINCT {b}) <> {int(req['ExpectedCount'])}"
    )
    return _result(con, sql)


def no_duplicates(con, rule, view, version, views) -> tuple[int, list[dict]]:
    """No two rows share the column's value (or the ColumnNames key), nulls aside."""
    req = rule.requirement
    cols = [q(c) for c in req.get("ColumnNames") or [req["ColumnName"]]]
    key = ", ".join(cols)
    present = " AND ".join(f"{c} IS NOT NULL" for c in cols)
    sql = (
        f"SELECT {key}, count(*) AS rows FROM {q(view.name)} WHERE {present} "
        f"GROUP BY {key} HAVING count(*) > 1"
    )
    return _result(con, sql)


def json_distinct_parent(con, rule, view, version, views) -> tuple[int, list[dict]]:
    req = rule.requirement
    col = q(req["ColumnName"])
    child, parent = req["ChildPath"].rpartition(".")[2], req["ParentPath"].rpartition(".")[2]
    sql = (
        f"SELECT child, list(DISTINCT parent) AS parents FROM ("
        f"SELECT e ->> '$.{child}' AS child, e ->> '$.{parent}' AS parent FROM ("
        f"SELECT unnest(json_extract({col}, '$.Elements[*]')) AS e FROM {q(view.name)} "
        f"WHERE {col} IS NOT NULL AND json_valid({col}))) WHERE child IS NOT NULL "
        f"GROUP BY child HAVING count(DISTINCT parent) > 1"
    )
    return _result(con, sql)


def commitment_amortization(con, rule, view, version, views) -> tuple[int, list[dict]]:
    """Σ EffectiveCost(Used+Unused) = Σ BilledCost(Purchase) per commitment, whole term in data.

    The term counts as "in the data" only when the commitment's Used/Unused rows start and end
    strictly inside the data's billing periods, after a purchase row: a term that began and ended
    in the data. Matching spans are not enough: a partial-upfront commitment pays a recurring fee
    in every month but amortizes its upfront part too, and that purchase may predate the data.
    """
    v = q(view.name)
    regular = "AND ChargeClass IS NULL" if "ChargeClass" in view.focus_types else ""
    sql = f"""
        WITH d AS (SELECT min(BillingPeriodStart) AS ds, max(BillingPeriodEnd) AS de FROM {v}),
        p AS (
            SELECT CommitmentDiscountId AS id, sum(BilledCost) AS billed,
                   min(ChargePeriodStart) AS ps, max(ChargePeriodEnd) AS pe
            FROM {v} WHERE ChargeCategory = 'Purchase' AND CommitmentDiscountId IS NOT NULL
              {regular}
            GROUP BY 1),
        u AS (
            SELECT CommitmentDiscountId AS id, sum(EffectiveCost) AS effective, count(*) AS n,
                   min(ChargePeriodStart) AS us, max(ChargePeriodEnd) AS ue
            FROM {v} WHERE ChargeCategory = 'Usage'
              AND CommitmentDiscountStatus IN ('Used', 'Unused') {regular}
            GROUP BY 1)
        SELECT p.id AS CommitmentDiscountId, round(p.billed, 6) AS purchase_billed,
               round(u.effective, 6) AS usage_effective, u.us AS usage_start, u.ue AS usage_end
        FROM p JOIN u USING (id), d
        WHERE u.us > d.ds AND u.ue < d.de AND p.ps <= u.us
          AND abs(u.effective - p.billed) > {_tolerance("u.n")}
    """
    return _result(con, sql)


def contract_applied_link(con, rule, view, version, views) -> tuple[int, list[dict]]:
    other = views.get("ContractCommitment")
    if other is None or not other.has("ContractCommitmentId"):
        return 0, []
    sql = f"""
        SELECT DISTINCT e ->> '$.ContractCommitmentId' AS ContractCommitmentId FROM (
            SELECT unnest(json_extract(ContractApplied, '$.Elements[*]')) AS e
            FROM {q(view.name)} WHERE ContractApplied IS NOT NULL AND json_valid(ContractApplied))
        WHERE e ->> '$.ContractCommitmentId' IS NOT NULL
          AND e ->> '$.ContractCommitmentId' NOT IN (
            SELECT ContractCommitmentId FROM {q(other.name)} WHERE ContractCommitmentId IS NOT NULL)
    """
    return _result(con, sql)


def invoice_reconciliation(con, rule, view, version, views) -> tuple[int, list[dict]]:
    cu = views.get("CostAndUsage")
    if cu is None or not cu.has("InvoiceId", "InvoiceIssuerName", "BilledCost"):
        return 0, []
    status = "InvoiceIssueStatus <> 'Open'" if view.has("InvoiceIssueStatus") else "TRUE"
    tax = "ChargeCategory IS DISTINCT FROM 'Tax'"
    tax_d = tax if view.has("ChargeCategory") else "TRUE"
    tax_c = tax if cu.has("ChargeCategory") else "TRUE"
    sql = f"""
        WITH d AS (
            SELECT InvoiceId, InvoiceIssuerName, sum(BilledCost) AS detail
            FROM {q(view.name)} WHERE {status} AND {tax_d} GROUP BY 1, 2),
        c AS (
            SELECT InvoiceId, InvoiceIssuerName, sum(BilledCost) AS cost, count(*) AS n
            FROM {q(cu.name)} WHERE InvoiceId IS NOT NULL AND {tax_c} GROUP BY 1, 2)
        SELECT d.InvoiceId, d.InvoiceIssuerName, round(d.detail, 6) AS invoice_detail_billed,
               round(coalesce(c.cost, 0), 6) AS cost_and_usage_billed
        FROM d LEFT JOIN c USING (InvoiceId, InvoiceIssuerName)
        WHERE abs(d.detail - coalesce(c.cost, 0)) > {_tolerance("coalesce(c.n, 1)")}
    """
    return _result(con, sql)


SET_CHECKS: dict[str, Callable] = {
    "CheckDistinctCount": distinct_count,
    "CheckNoDuplicates": no_duplicates,
    "JSONCheckPathDistinctParent": json_distinct_parent,
    "CommitmentAmortization": commitment_amortization,
    "ContractAppliedLink": contract_applied_link,
    "InvoiceReconciliation": invoice_reconciliation,
}
