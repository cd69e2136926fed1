"""Load the compiled validation rules (rules.json) for one FOCUS version and dataset."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

# Check functions that need more than one row at a time (group-bys, joins, sums).
SET_FUNCTIONS = frozenset(
    {
        "CheckDistinctCount",
        "CheckNoDuplicates",
        "JSONCheckPathDistinctParent",
        "CommitmentAmortization",
        "ContractAppliedLink",
        "InvoiceReconciliation",
    }
)


@dataclass(frozen=True)
class Rule:
    """One machine-checkable rule: a requirement that must hold where the condition holds."""

    id: str
    dataset: str
    column: str
    severity: str
    message: str
    requirement: dict
    condition: dict | None = None
    columns: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_set_rule(self) -> bool:
        """True when the rule compares rows with each other."""
        return self.requirement.get("CheckFunction") in SET_FUNCTIONS


@cache
def _data() -> dict:
    text = resources.files("focusgen.validate").joinpath("rules.json").read_text()
    return json.loads(text)


def referenced(tree: dict | None) -> set[str]:
    """Columns a predicate tree reads."""
    if not tree:
        return set()
    keys = ("ColumnName", "ColumnAName", "ColumnBName", "ResultColumnName", "ParentColumnName")
    cols = {tree[k] for k in keys if tree.get(k)} | set(tree.get("ColumnNames", []))
    for item in tree.get("Items", []):
        cols |= referenced(item)
    return cols


def _rule(raw: dict) -> Rule:
    cols = referenced(raw["requirement"]) | referenced(raw.get("condition"))
    cols |= set(raw.get("columns", []))
    return Rule(
        id=raw["id"],
        dataset=raw["dataset"],
        column=raw["column"],
        severity=raw["severity"],
        message=raw["message"],
        requirement=raw["requirement"],
        condition=raw.get("condition"),
        columns=frozenset(cols),
    )


# The 1.3 model requires Elements[*].ContractId (ContractAppliedObject-O-019-C) but leaves it
# out of the keys its x_-prefix rules (O-010-M, O-017-C) accept; 1.4's schema defines it too.
_KEYS_ADDED = {v: {"ContractApplied": ["ContractId"]} for v in ("1.3", "1.4")}


# Rules a later version's model brings that earlier versions do not have: one category per
# ServiceName is a 1.2 requirement (1.0/1.1 exports assigned categories per line item).
_INTRODUCED = {"ServiceName-C-005-C": "1.2", "ServiceName-C-008-C": "1.2"}
# Rules of the 1.3 model that FOCUS 1.4 replaced: 1.4's ContractAppliedObjectSchema requires only
# ContractId and ContractCommitmentId in each element (the metric keys may be absent), which the
# 1.4 own rules FG-CostAndUsage-ContractApplied-* check instead of the 1.3 "four keys" rule.
_LAST = {"ContractAppliedObject-O-007-M": "1.3"}


def _v(version: str) -> tuple[int, ...]:
    return tuple(map(int, version.split(".")))


def _applies(rule_id: str, version: str) -> bool:
    since, last = _INTRODUCED.get(rule_id), _LAST.get(rule_id)
    return (since is None or _v(version) >= _v(since)) and (last is None or _v(version) <= _v(last))


def _for_version(raw: dict, version: str, model: str) -> dict:
    """Repair a rule of the model a version uses where the model contradicts itself."""
    added = _KEYS_ADDED.get(version, {})
    req = raw.get("requirement") or {}
    extra = added.get(req.get("ColumnName", ""))
    if not extra or "IgnoreKeys" not in req:
        return raw
    return {**raw, "requirement": {**req, "IgnoreKeys": [*req["IgnoreKeys"], *extra]}}


@cache
def rules_for(version: str, dataset: str) -> tuple[Rule, ...]:
    """Model rules plus focusgen's own rules for a version's dataset (not yet filtered by data)."""
    data = _data()
    model = data["version_model"][version]
    known = {c["name"] for c in data["columns"][version].get(dataset, [])}
    out = []
    for raw in data["models"][model]:
        if raw["dataset"] != dataset or not _applies(raw["id"], version):
            continue
        rule = _rule(_for_version(raw, version, model))
        # A rule about a column the version does not define (e.g. SkuMeter in 1.0) is not a rule.
        if rule.columns <= known:
            out.append(rule)
    # Columns the model covers; the others get the column-fact rules (own rules add to those).
    covered = {r.column for r in out}
    for raw in data["own_rules"]:
        if raw["dataset"] == dataset and version in raw.get("versions", [version]):
            out.append(_rule(raw))
    for fact in data["columns"][version].get(dataset, []):
        if fact["name"] not in covered:
            out.extend(_fact_rules(dataset, fact))
    return tuple(out)


_TYPE_CHECK = {"Decimal": "TypeDecimal", "Date/Time": "TypeDateTime", "String": "TypeString",
               "JSON": "FormatJSON"}  # fmt: skip
_FORMAT_CHECK = {"Decimal": "FormatNumeric", "Date/Time": "FormatDateTime"}


def _fact_rules(dataset: str, fact: dict) -> list[Rule]:
    """Type, format, not-null and allowed-value rules from the column facts alone, for columns
    no requirements model covers (1.4's new columns and its BillingPeriod/InvoiceDetail)."""
    col, kind = fact["name"], fact["type"]
    base = f"FG-{dataset}-{col}"
    raws = [{"id": f"{base}-Type", "message": f"{col} MUST be of type {kind}.",
             "requirement": {"CheckFunction": _TYPE_CHECK.get(kind, "TypeString"),
                             "ColumnName": col}}]  # fmt: skip
    if kind in _FORMAT_CHECK:
        raws.append({"id": f"{base}-Format", "message": f"{col} MUST follow the {kind} format.",
                     "requirement": {"CheckFunction": _FORMAT_CHECK[kind],
                                     "ColumnName": col}})  # fmt: skip
    # Conditional columns that are not nullable MUST NOT be null when present (e.g. 1.4
    # PaymentCurrency, ContractCommitmentPaymentUpfrontPercentage).
    if not fact["nullable"] and fact["level"] in ("Mandatory", "Conditional"):
        raws.append({"id": f"{base}-NotNull", "message": f"{col} MUST NOT be null.",
                     "requirement": {"CheckFunction": "CheckNotValue", "ColumnName": col,
                                     "Value": None}})  # fmt: skip
    if fact.get("allowed"):
        raws.append({"id": f"{base}-Allowed", "message": f"{col} MUST be an allowed value.",
                     "requirement": {"CheckFunction": "InSet", "ColumnName": col,
                                     "Values": fact["allowed"]}})  # fmt: skip
    return [_rule({"dataset": dataset, "column": col, "severity": "error", **r}) for r in raws]


def column_facts(version: str, dataset: str) -> list[dict]:
    """The version's columns for a dataset: name, type, level, nullable, allowed values."""
    return _data()["columns"][version].get(dataset, [])


def presence_id(version: str, dataset: str, column: str) -> str | None:
    """The spec's rule id for "<column> MUST be present", when the model has one."""
    model = _data()["version_model"][version]
    return _data()["presence_ids"][model].get(f"{dataset}.{column}")


@cache
def currencies() -> tuple[str, ...]:
    """ISO 4217 codes accepted as national currencies."""
    return tuple(_data()["currencies"])


def known_versions() -> list[str]:
    """FOCUS versions the validator has rules for."""
    return list(_data()["version_model"])


def known_datasets(version: str) -> list[str]:
    """Datasets the version defines."""
    return list(_data()["columns"][version])
