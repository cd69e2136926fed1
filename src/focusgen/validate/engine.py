"""Execute a dataset's rules in a few DuckDB passes: schema, row aggregates, samples, set rules."""

from __future__ import annotations

import re

from focusgen.validate.reader import FILE_COLUMN, NULL_PLACEHOLDERS
from focusgen.validate.report import Finding
from focusgen.validate.rules import Rule, column_facts, presence_id, rules_for
from focusgen.validate.setrules import SAMPLES, SET_CHECKS
from focusgen.validate.sqlgen import Unsupported, lit, predicate
from focusgen.validate.typed import TypedView, q, text_col

CUSTOM_PREFIX = "x_"
_PASCAL = re.compile(r"[A-Z][A-Za-z0-9]*")


def _schema_findings(view: TypedView, version: str, dataset: str, rows: int) -> list[Finding]:
    """Column presence by feature level, and the x_ prefix of custom columns."""
    out = []
    for fact in column_facts(version, dataset):
        if fact["name"] in view.focus_types or fact["level"] not in ("Mandatory", "Recommended"):
            continue
        mandatory = fact["level"] == "Mandatory"
        out.append(
            Finding(
                rule=presence_id(version, dataset, fact["name"])
                or f"FG-{dataset}-Presence-{fact['name']}",
                dataset=dataset,
                column=fact["name"],
                severity="error" if mandatory else "warning",
                message=f"{fact['name']} {'MUST' if mandatory else 'SHOULD'} be present in a "
                f"{dataset} FOCUS {version} dataset.",
                failed_rows=rows,
            )
        )
    custom = [
        c
        for c in view.source_types
        if c not in view.focus_types and not c.startswith(CUSTOM_PREFIX) and c != "filename"
    ]
    if custom:
        out.append(
            Finding(
                rule="ColumnHandling-A-010-M",
                dataset=dataset,
                column=", ".join(custom),
                severity="error",
                message="Custom columns MUST be prefixed with x_ (columns not defined by FOCUS "
                f"{version} {dataset}).",
                failed_rows=rows,
                samples=[{"columns": custom}],
            )
        )
    return out


def _placeholder_rules(view: TypedView, dataset: str) -> list[tuple[Rule, str]]:
    """NullHandling: text that stands for a null ("NULL", "", "N/A") instead of a real NULL."""
    values = ", ".join(lit(v) for v in NULL_PLACEHOLDERS)
    out = []
    for col, expr in sorted(view.placeholders.items()):
        rule = Rule(
            id="NullHandling-A-002-M",
            dataset=dataset,
            column=col,
            severity="error",
            message="Columns MUST use NULL, not empty strings or placeholders such as "
            '"NULL" or "N/A", when there is no value.',
            requirement={},
            columns=frozenset({col}),
        )
        # The length test first: DuckDB then compares only short strings with the list.
        out.append((rule, f"(length({expr}) <= 4 AND {expr} IN ({values}))"))
    return out


def _row_failures(view: TypedView, rules: list[Rule], version: str) -> list[tuple[Rule, str]]:
    """Each runnable row rule with its SQL 'this row fails' expression."""
    out = []
    for rule in rules:
        try:
            req = predicate(rule.requirement, view, version)
            cond = predicate(rule.condition, view, version) if rule.condition else "TRUE"
        except Unsupported:
            continue
        out.append((rule, f"(coalesce({cond}, false) AND NOT coalesce({req}, false))"))
    return out


def _by_value(rule: Rule, view: TypedView) -> bool:
    """A rule on one JSON column alone, with no condition: checkable per distinct value."""
    return (
        rule.columns == {rule.column}
        and rule.condition is None
        and view.focus_types.get(rule.column) == "JSON"
        and rule.column not in view.text
    )


def _samples(con, view: TypedView, rule: Rule, fail: str) -> list[dict]:
    cols = [c for c in sorted(rule.columns) if c in view.focus_types]
    texts = [f"{text_col(c)} AS {q(c)}" if c in view.text else q(c) for c in cols]
    cur = con.execute(
        f"SELECT {q(FILE_COLUMN)} AS file, {', '.join(texts) or 'NULL AS none'} "
        f"FROM {q(view.name)} WHERE {fail} LIMIT {SAMPLES}"
    )
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def run(
    con, view: TypedView, version: str, dataset: str, views: dict[str, TypedView]
) -> tuple[int, list[str], list[Finding]]:
    """Rows, rule ids checked and findings for one dataset."""
    applicable = [r for r in rules_for(version, dataset) if view.has(*r.columns)]
    row_rules = _row_failures(view, [r for r in applicable if not r.is_set_rule], version)
    row_rules += _placeholder_rules(view, dataset)
    grouped = {r.column: [] for r, _ in row_rules if _by_value(r, view)}
    plain = []
    for rule, fail in row_rules:
        (grouped[rule.column] if _by_value(rule, view) else plain).append((rule, fail))
    counts = ", ".join(f"count_if({fail})" for _, fail in plain)
    result = con.execute(
        f"SELECT count(*){', ' + counts if counts else ''} FROM {q(view.name)}"
    ).fetchone()
    rows, failures = result[0], list(zip(plain, result[1:], strict=True))
    for col, items in grouped.items():
        # JSON checks are costly and JSON columns repeat: check each distinct value once.
        sums = ", ".join(f"coalesce(sum(n) FILTER (WHERE {fail}), 0)" for _, fail in items)
        got = con.execute(
            f"SELECT {sums} FROM (SELECT {q(col)}, count(*) AS n FROM {q(view.name)} GROUP BY 1)"
        ).fetchone()
        failures += list(zip(items, got, strict=True))
    findings = _schema_findings(view, version, dataset, rows)
    for (rule, fail), failed in failures:
        if failed:
            findings.append(
                Finding(
                    rule.id,
                    dataset,
                    rule.column,
                    rule.severity,
                    rule.message,
                    failed,
                    _samples(con, view, rule, fail),
                )
            )
    for rule in (r for r in applicable if r.is_set_rule):
        check = SET_CHECKS[rule.requirement["CheckFunction"]]
        failed, samples = check(con, rule, view, version, views)
        if failed:
            findings.append(
                Finding(rule.id, dataset, rule.column, rule.severity, rule.message, failed, samples)
            )
    checked = sorted({r.id for r in applicable} | {r.id for r, _ in row_rules})
    findings.sort(key=lambda f: (f.severity != "error", f.rule, f.column))
    return rows, checked, findings
