"""Compile the validator's rule data from the shared FOCUS requirements models (a dev-time step).

Run from the repository root: ``python scripts/build_validate_rules.py``. It reads the assembled
requirements models (1.2 and 1.3), the column facts and the ISO 4217 list under ../shared/focus
and writes ``src/focusgen/validate/rules.json``, which is committed; the package never reads
../shared at run time.

What the compiler does to the models:
* composite rules are flattened: a leaf inherits every ``Condition`` of the composites above it
  ("When X is not null, X adheres to ..."), so each leaf is one row predicate;
* MUST / MUST NOT rules become errors, SHOULD / RECOMMENDED warnings; MAY rules and rules with
  no executable requirement (``Type: Dynamic``) are dropped;
* allowed-value lists are replaced by the column facts (the 1.2/1.3 models list wrong values for
  CommitmentDiscountStatus), known model defects are corrected (``OVERRIDES``), and presence rules
  are regenerated from the feature level of each version's columns;
* focusgen's own rules (``FG-…`` ids) cover what the models leave dynamic: period order, cost
  sums per commitment, ServiceName -> one ServiceCategory, dataset links.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "focus"
TARGET = Path(__file__).resolve().parents[1] / "src" / "focusgen" / "validate" / "rules.json"

MODELS = {"1.2": "validator-models/model-1.2.0.1.json", "1.3": "validator-models/model-1.3.json"}
VERSION_MODEL = {"1.0": "1.2", "1.1": "1.2", "1.2": "1.2", "1.3": "1.3", "1.4": "1.3"}
PREFIX_DATASET = {"CAU": "CostAndUsage", "CCT": "ContractCommitment"}
SUPPORTED = {
    "AND", "OR", "CheckValue", "CheckNotValue", "CheckGreaterOrEqualThanValue",
    "ColumnByColumnEqualsColumnValue", "TypeDecimal", "TypeString", "TypeDateTime",
    "FormatNumeric", "FormatDateTime", "FormatString", "FormatCurrency", "CheckNationalCurrency",
    "FormatKeyValue", "FormatUnit", "FormatJSON", "CheckDecimalValue", "CheckDistinctCount",
    "CheckNoDuplicates", "CheckSameValue", "CheckNotSameValue", "JSONCheckPathType",
    "JSONCheckPathKeyExists", "JSONCheckPathKeyStartsWith", "JSONCheckPathKeyValueFormat",
    "JSONFormatNumeric", "JSONCheckPathNumericFormat", "JSONFormatUnit", "JSONCheckPathUnitFormat",
    "JSONFormatString", "JSONCheckPathDistinctParent", "JSONCheckPathSameValue",
}  # fmt: skip

_NULL = {"CheckFunction": "CheckValue", "Value": None}


def _is(col: str, value) -> dict:
    return {"CheckFunction": "CheckValue", "ColumnName": col, "Value": value}


def _not(col: str, value) -> dict:
    return {"CheckFunction": "CheckNotValue", "ColumnName": col, "Value": value}


def _and(*items: dict) -> dict:
    return {"CheckFunction": "AND", "Items": list(items)}


# Model defects that make correct data fail (ids without the 1.3 "CAU-" prefix). Each entry
# replaces the executable Condition (or drops the rule) so it says what the spec text says.
OVERRIDES: dict[str, dict] = {
    # Condition inverted and ChargeCategory missing (FOCUS_Spec #2393).
    "CommitmentDiscountStatus-C-004-C": {
        "Condition": _and(_not("CommitmentDiscountId", None), _is("ChargeCategory", "Usage"))
    },
    "CapacityReservationStatus-C-003-C": {"Condition": _is("CapacityReservationId", None)},
    # The model tests ChargeClass = "Correction" where the text says "is not" (inverted).
    "ConsumedQuantity-C-006-C": {
        "Condition": _and(
            _is("ChargeCategory", "Usage"),
            _not("CommitmentDiscountStatus", "Unused"),
            _not("ChargeClass", "Correction"),
        )
    },
    "CapacityReservationStatus-C-004-C": {
        "Condition": _and(_not("CapacityReservationId", None), _is("ChargeCategory", "Usage"))
    },
    # "and the purchase is intended to cover future eligible charges": commitment purchases.
    "EffectiveCost-C-005-C": {
        "Condition": _and(_is("ChargeCategory", "Purchase"), _not("CommitmentDiscountId", None))
    },
    # No executable condition exists for "associated with an invoice" (they contradict each other).
    "InvoiceId-C-004-C": {"drop": "no machine-checkable condition"},
    "InvoiceId-C-005-C": {"drop": "no machine-checkable condition"},
    # Heuristic ProviderName <> InvoiceIssuerName is not "payment received by a third party".
    "BilledCost-C-005-C": {"drop": "third-party payment is not visible in the data"},
    # "Dynamic" in the model, but checkable: one ServiceCategory per ServiceName.
    "ServiceName-C-005-C": {
        "Requirement": {
            "CheckFunction": "CheckDistinctCount",
            "ColumnAName": "ServiceName",
            "ColumnBName": "ServiceCategory",
            "ExpectedCount": 1,
        }
    },
    "ServiceName-C-008-C": {
        "Requirement": {
            "CheckFunction": "CheckDistinctCount",
            "ColumnAName": "ServiceName",
            "ColumnBName": "ServiceSubcategory",
            "ExpectedCount": 1,
        }
    },
}


def _le(a: str, b: str) -> dict:
    return {"CheckFunction": "ColumnLessOrEqualColumn", "ColumnAName": a, "ColumnBName": b}


def _lt(a: str, b: str) -> dict:
    return {"CheckFunction": "ColumnLessThanColumn", "ColumnAName": a, "ColumnBName": b}


def _range(col: str, lo=0.0, hi=1.0, exclusive: bool = False) -> dict:
    return {"CheckFunction": "CheckRange", "ColumnName": col, "Min": lo, "Max": hi,
            "ExclusiveMin": exclusive, "ExclusiveMax": exclusive}  # fmt: skip


def _elements(col: str, **keys) -> dict:
    return {"CheckFunction": "JSONElementKeysNotNull", "ColumnName": col,
            "Path": "$.Elements[*]", **keys}  # fmt: skip


def _keys(col: str, path: str, allowed: list[str]) -> dict:
    return {"CheckFunction": "JSONCheckPathKeysMatch", "ColumnName": col, "Path": path,
            "AllowedKeys": allowed, "Pattern": X_PASCAL}  # fmt: skip


def _own(dataset: str, column: str, number: int, message: str, requirement: dict,
         condition: dict | None = None, rule_id: str | None = None,
         severity: str = "error") -> dict:  # fmt: skip
    rule = {"id": rule_id or f"FG-{dataset}-{column}-{number:03d}", "dataset": dataset,
            "column": column, "severity": severity, "message": message,
            "requirement": requirement}  # fmt: skip
    if condition:
        rule["condition"] = condition
    return rule


# Custom keys of 1.4's JSON object schemas: "^x_[A-Z][a-zA-Z0-9]*$" (x_ prefix, PascalCase).
X_PASCAL = "x_[A-Z][a-zA-Z0-9]*"
# FOCUS-defined InvoiceDetailGrain properties (1.4 invoicedetailgrain.md).
GRAIN_KEYS = ["ContractId", "RegionId", "ResourceId", "ResourceType", "ServiceName", "SkuId",
              "SkuMeter", "SkuPriceId", "SubAccountId"]  # fmt: skip
CA, AMD = "ContractApplied", "AllocatedMethodDetails"
CPE = "CommitmentProgramEligibilityDetails"
CC = "ContractCommitment"
UPFRONT = "ContractCommitmentPaymentUpfrontPercentage"
DISCOUNT = "ContractCommitmentDiscountPercentage"

# FOCUS 1.4 rules the 1.3 model cannot know (1.4 text quoted in each message). Ids: the 1.4
# requirements-model id where the draft model has one, else FG-<Dataset>-<Column>-NNN.
OWN_RULES_14 = [
    # --- BillingPeriod -----------------------------------------------------------------------
    _own("BillingPeriod", "BillingPeriodLastUpdated", 1,
         "BillingPeriodLastUpdated MUST be greater than or equal to BillingPeriodCreated.",
         _le("BillingPeriodCreated", "BillingPeriodLastUpdated")),
    _own("BillingPeriod", "BillingPeriodEnd", 1,
         "BillingPeriodStart MUST be the inclusive start bound and BillingPeriodEnd the exclusive "
         "end bound of the billing period (start before end).",
         _lt("BillingPeriodStart", "BillingPeriodEnd")),
    _own("BillingPeriod", "BillingPeriodStart", 1,
         "BillingPeriod holds one record per billing period and invoice issuer: no two rows share "
         "(InvoiceIssuerName, BillingPeriodStart).",
         {"CheckFunction": "CheckNoDuplicates",
          "ColumnNames": ["InvoiceIssuerName", "BillingPeriodStart"]}),
    # --- InvoiceDetail -----------------------------------------------------------------------
    _own("InvoiceDetail", "InvoiceDetailLastUpdated", 1,
         "InvoiceDetailLastUpdated MUST be greater than or equal to InvoiceDetailCreated.",
         _le("InvoiceDetailCreated", "InvoiceDetailLastUpdated")),
    _own("InvoiceDetail", "InvoiceDetailGrain", 1,
         "InvoiceDetailGrain MUST conform to KeyValueFormat requirements.",
         {"CheckFunction": "FormatKeyValue", "ColumnName": "InvoiceDetailGrain"}),
    _own("InvoiceDetail", "InvoiceDetailGrain", 2,
         "InvoiceDetailGrain property keys MUST begin with the string \"x_\" unless it is a "
         "FOCUS-defined property (ContractId, RegionId, ResourceId, ResourceType, ServiceName, "
         "SkuId, SkuMeter, SkuPriceId, SubAccountId).",
         {"CheckFunction": "JSONCheckPathKeyStartsWith", "ColumnName": "InvoiceDetailGrain",
          "Path": "$", "Prefix": "x_", "IgnoreKeys": GRAIN_KEYS}),
    _own("InvoiceDetail", "PaymentCurrency", 1,
         "PaymentCurrency MUST be expressed in national currency (e.g., USD, EUR).",
         {"CheckFunction": "CheckNationalCurrency", "ColumnName": "PaymentCurrency"}),
    _own("InvoiceDetail", "PaymentCurrencyInvoiceDetailId", 1,
         "PaymentCurrencyInvoiceDetailId MUST match InvoiceDetailId of the current record when "
         "PaymentCurrencyBilledCost is non-zero.",
         {"CheckFunction": "CheckSameValue", "ColumnAName": "PaymentCurrencyInvoiceDetailId",
          "ColumnBName": "InvoiceDetailId"},
         _and(_not("PaymentCurrencyBilledCost", None), _not("PaymentCurrencyBilledCost", 0))),
    # --- ContractCommitment ------------------------------------------------------------------
    _own(CC, "ContractCommitmentLastUpdated", 1,
         "ContractCommitmentLastUpdated MUST be greater than or equal to "
         "ContractCommitmentCreated.",
         _le("ContractCommitmentCreated", "ContractCommitmentLastUpdated")),
    _own(CC, DISCOUNT, 0,
         "ContractCommitmentDiscountPercentage MUST NOT be null when "
         "ContractCommitmentBenefitCategory is \"Discount\".",
         _not(DISCOUNT, None), _is("ContractCommitmentBenefitCategory", "Discount"),
         rule_id="CCT-ContractCommitmentDiscountPercentage-C-004-C"),
    _own(CC, DISCOUNT, 0,
         "ContractCommitmentDiscountPercentage MUST be null when "
         "ContractCommitmentBenefitCategory is \"Availability\".",
         _is(DISCOUNT, None), _is("ContractCommitmentBenefitCategory", "Availability"),
         rule_id="CCT-ContractCommitmentDiscountPercentage-C-005-C"),
    _own(CC, DISCOUNT, 0,
         "ContractCommitmentDiscountPercentage MUST be a value between 0.0 and 1.0, inclusive.",
         _range(DISCOUNT), rule_id="CCT-ContractCommitmentDiscountPercentage-C-006-M"),
    _own(CC, UPFRONT, 1,
         "ContractCommitmentPaymentUpfrontPercentage MUST be a value between 0.0 and 1.0, "
         "inclusive.", _range(UPFRONT)),
    _own(CC, UPFRONT, 2,
         "ContractCommitmentPaymentUpfrontPercentage MUST be 1.0 when "
         "ContractCommitmentPaymentModel is \"All Upfront\".",
         _is(UPFRONT, 1.0), _is("ContractCommitmentPaymentModel", "All Upfront")),
    _own(CC, UPFRONT, 3,
         "ContractCommitmentPaymentUpfrontPercentage MUST be 0.0 when "
         "ContractCommitmentPaymentModel is \"No Upfront\".",
         _is(UPFRONT, 0.0), _is("ContractCommitmentPaymentModel", "No Upfront")),
    _own(CC, UPFRONT, 4,
         "ContractCommitmentPaymentUpfrontPercentage MUST be greater than 0.0 and less than 1.0 "
         "when ContractCommitmentPaymentModel is \"Partial Upfront\".",
         _range(UPFRONT, exclusive=True), _is("ContractCommitmentPaymentModel", "Partial Upfront")),
    _own(CC, "ContractCommitmentPaymentInterval", 1,
         "ContractCommitmentPaymentInterval MUST be \"One-Time\" when "
         "ContractCommitmentPaymentModel is \"All Upfront\".",
         _is("ContractCommitmentPaymentInterval", "One-Time"),
         _is("ContractCommitmentPaymentModel", "All Upfront")),
    # The whole-term value is "Full Period" in the 1.4 text and "Full Commitment Period" in the
    # allowed-values file the column facts use; both are checked.
    _own(CC, "ContractCommitmentFulfillmentInterval", 1,
         "ContractCommitmentFulfillmentInterval MUST NOT be \"Full Period\" when "
         "ContractCommitmentModel is \"Continuous\" (ContractCommitmentModel MUST be "
         "\"Discontinuous\" when the interval is \"Full Period\").",
         _and(_not("ContractCommitmentFulfillmentInterval", "Full Period"),
              _not("ContractCommitmentFulfillmentInterval", "Full Commitment Period")),
         _is("ContractCommitmentModel", "Continuous")),
    _own(CC, "ContractCommitmentDurationType", 1,
         "ContractCommitmentDurationType SHOULD be expressed with a quantity and time unit, "
         "where quantity is a positive integer (e.g., \"1 Day\", \"1 Year\", \"3 Months\").",
         {"CheckFunction": "FormatRegex", "ColumnName": "ContractCommitmentDurationType",
          "Pattern": "[1-9][0-9]* (Minute|Hour|Day|Week|Month|Quarter|Year)s?"},
         severity="warning"),
    _own(CC, "ContractCommitmentPeriodEnd", 1,
         "ContractCommitmentPeriodStart MUST be the inclusive start bound and "
         "ContractCommitmentPeriodEnd the exclusive end bound of the commitment's effective "
         "period (start before end).",
         _lt("ContractCommitmentPeriodStart", "ContractCommitmentPeriodEnd")),
    _own(CC, "ContractPeriodEnd", 1,
         "ContractPeriodStart MUST be the inclusive start bound and ContractPeriodEnd the "
         "exclusive end bound of the contract's effective period (start before end).",
         _lt("ContractPeriodStart", "ContractPeriodEnd")),
    _own(CC, "PricingCurrency", 1,
         "PricingCurrency MUST conform to CurrencyFormat requirements (1.4: ISO 4217 code).",
         {"CheckFunction": "FormatCurrency", "ColumnName": "PricingCurrency"}),
    _own(CC, "PricingCurrencyContractCommitmentCost", 1,
         "PricingCurrencyContractCommitmentCost MUST NOT be null when ContractCommitmentCategory "
         "is \"Spend\" and PricingCurrency is provided.",
         _not("PricingCurrencyContractCommitmentCost", None),
         _and(_is("ContractCommitmentCategory", "Spend"), _not("PricingCurrency", None))),
    # --- ContractApplied: ContractAppliedObjectSchema (1.4) ----------------------------------
    _own("CostAndUsage", CA, 1,
         "ContractAppliedObject MUST conform to the ContractAppliedObjectSchema JSON Schema: "
         "\"Elements\" contains one or more objects (minItems 1).",
         {"CheckFunction": "JSONArrayNotEmpty", "ColumnName": CA, "Path": "$.Elements"}),
    _own("CostAndUsage", CA, 2,
         "ContractAppliedObjectSchema: every Elements[*] object requires ContractId and "
         "ContractCommitmentId (strings, not null).",
         _elements(CA, AllOf=["ContractId", "ContractCommitmentId"])),
    _own("CostAndUsage", CA, 3,
         "ContractAppliedObjectSchema: at least one metric, ContractCommitmentAppliedCost or "
         "ContractCommitmentAppliedQuantity, MUST be present in each Elements[*] object.",
         _elements(CA, AnyOf=["ContractCommitmentAppliedCost",
                              "ContractCommitmentAppliedQuantity"])),
    _own("CostAndUsage", CA, 4,
         "ContractAppliedObject.Elements[*].ContractCommitmentAppliedQuantity MUST be denominated "
         "in ContractCommitmentAppliedUnit: the unit is required when the quantity is present.",
         _elements(CA, AllOf=["ContractCommitmentAppliedUnit"],
                   WhenNotNull="ContractCommitmentAppliedQuantity")),
    _own("CostAndUsage", CA, 5,
         "ContractAppliedObjectSchema (additionalProperties false): top-level keys are "
         "\"Elements\" or custom x_ keys in PascalCase (^x_[A-Z][a-zA-Z0-9]*$).",
         _keys(CA, "$", ["Elements"])),
    _own("CostAndUsage", CA, 6,
         "ContractAppliedObjectSchema (additionalProperties false): Elements[*] keys are the "
         "FOCUS-defined properties or custom x_ keys in PascalCase (^x_[A-Z][a-zA-Z0-9]*$).",
         _keys(CA, "$.Elements[*]", ["ContractId", "ContractCommitmentId",
                                     "ContractCommitmentAppliedCost",
                                     "ContractCommitmentAppliedQuantity",
                                     "ContractCommitmentAppliedUnit"])),
    # --- AllocatedMethodDetails: AllocatedMethodDetailsObjectSchema (1.4) -------------------
    _own("CostAndUsage", AMD, 1,
         "AllocatedMethodDetailsObject MUST conform to the AllocatedMethodDetailsObjectSchema "
         "JSON Schema: \"Elements\" contains one or more objects (minItems 1).",
         {"CheckFunction": "JSONArrayNotEmpty", "ColumnName": AMD, "Path": "$.Elements"}),
    _own("CostAndUsage", AMD, 2,
         "AllocatedMethodDetailsObjectSchema: every Elements[*] object requires AllocatedRatio "
         "(a number).", _elements(AMD, AllOf=["AllocatedRatio"])),
    _own("CostAndUsage", AMD, 3,
         "AllocatedMethodDetailsObjectSchema: Elements[*].AllocatedRatio is between 0 and 1 "
         "(minimum 0, maximum 1).",
         {"CheckFunction": "JSONCheckPathRange", "ColumnName": AMD,
          "Path": "$.Elements[*].AllocatedRatio", "Min": 0, "Max": 1}),
    _own("CostAndUsage", AMD, 4,
         "AllocatedMethodDetailsObjectSchema: UsageUnit MUST be provided (a string) when "
         "UsageQuantity is a number.",
         _elements(AMD, AllOf=["UsageUnit"], WhenNotNull="UsageQuantity")),
    _own("CostAndUsage", AMD, 5,
         "AllocatedMethodDetailsObjectSchema (additionalProperties false): top-level keys are "
         "\"Elements\" or custom x_ keys in PascalCase (^x_[A-Z][a-zA-Z0-9]*$).",
         _keys(AMD, "$", ["Elements"])),
    _own("CostAndUsage", AMD, 6,
         "AllocatedMethodDetailsObjectSchema (additionalProperties false): Elements[*] keys are "
         "AllocatedRatio, UsageUnit, UsageQuantity or custom x_ keys in PascalCase.",
         _keys(AMD, "$.Elements[*]", ["AllocatedRatio", "UsageUnit", "UsageQuantity"])),
    # --- CommitmentProgramEligibilityDetails (1.4 draft model ids) ------------------------------
    _own("CostAndUsage", CPE, 0,
         "CommitmentProgramEligibilityDetailsObject MUST have a top-level property key "
         "\"CommitmentPrograms\".",
         {"CheckFunction": "JSONCheckPathType", "ColumnName": CPE,
          "Path": "$.CommitmentPrograms", "ExpectedType": "Array"},
         rule_id="CommitmentProgramEligibilityDetailsObject-O-001-M"),
    _own("CostAndUsage", CPE, 0,
         "CommitmentProgramEligibilityDetailsObject MUST have property keys that begin with the "
         "string \"x_\" unless it is a FOCUS-defined property key.",
         {"CheckFunction": "JSONCheckPathKeyStartsWith", "ColumnName": CPE, "Path": "$",
          "Prefix": "x_", "IgnoreKeys": ["CommitmentPrograms"]},
         rule_id="CommitmentProgramEligibilityDetailsObject-O-003-C"),
    _own("CostAndUsage", CPE, 0,
         "CommitmentProgramEligibilityDetailsObject.CommitmentPrograms MUST contain one or more "
         "objects.",
         {"CheckFunction": "JSONArrayNotEmpty", "ColumnName": CPE, "Path": "$.CommitmentPrograms"},
         rule_id="CommitmentProgramEligibilityDetailsObject-O-006-M"),
    _own("CostAndUsage", CPE, 0,
         "Each entry in CommitmentProgramEligibilityDetailsObject.CommitmentPrograms MUST have a "
         "property key \"ProgramType\" (CommitmentPrograms.ProgramType MUST NOT be null).",
         {"CheckFunction": "JSONElementKeysNotNull", "ColumnName": CPE,
          "Path": "$.CommitmentPrograms[*]", "AllOf": ["ProgramType"]},
         rule_id="CommitmentProgramEligibilityDetailsObject-O-008-M"),
    _own("CostAndUsage", CPE, 0,
         "CommitmentProgramEligibilityDetailsObject.CommitmentPrograms.ProgramType MUST equal "
         "CommitmentDiscountType for one object in CommitmentPrograms when CommitmentDiscountType "
         "is not null.",
         {"CheckFunction": "JSONPathContainsColumn", "ColumnName": CPE,
          "Path": "$.CommitmentPrograms[*].ProgramType", "ColumnBName": "CommitmentDiscountType"},
         rule_id="CommitmentProgramEligibilityDetailsObject-O-014-C"),
]  # fmt: skip

# focusgen's own rules: what the spec states but the models do not execute.
OWN_RULES = [
    {
        "id": "FG-ChargePeriod-001",
        "dataset": "CostAndUsage",
        "column": "ChargePeriodEnd",
        "severity": "error",
        "message": "ChargePeriodStart MUST be before ChargePeriodEnd "
        "(inclusive start, exclusive end).",
        "requirement": {"CheckFunction": "ColumnLessThanColumn",
                        "ColumnAName": "ChargePeriodStart", "ColumnBName": "ChargePeriodEnd"},
    },
    {
        "id": "FG-BillingPeriod-001",
        "dataset": "CostAndUsage",
        "column": "BillingPeriodEnd",
        "severity": "error",
        "message": "BillingPeriodStart MUST be before BillingPeriodEnd "
        "(inclusive start, exclusive end).",
        "requirement": {"CheckFunction": "ColumnLessThanColumn",
                        "ColumnAName": "BillingPeriodStart", "ColumnBName": "BillingPeriodEnd"},
    },
    {
        "id": "FG-ChargePeriod-002",
        "dataset": "CostAndUsage",
        "column": "ChargePeriodStart",
        "severity": "error",
        "message": "ChargePeriodStart MUST lie inside the billing period (corrections excepted).",
        "condition": _is("ChargeClass", None),
        "requirement": _and(
            {"CheckFunction": "ColumnLessOrEqualColumn",
             "ColumnAName": "BillingPeriodStart", "ColumnBName": "ChargePeriodStart"},
            {"CheckFunction": "ColumnLessThanColumn",
             "ColumnAName": "ChargePeriodStart", "ColumnBName": "BillingPeriodEnd"},
        ),
    },
    {
        "id": "FG-ChargePeriod-003",
        "dataset": "CostAndUsage",
        "column": "ChargePeriodEnd",
        "severity": "error",
        "message": "ChargePeriodEnd MUST NOT be after BillingPeriodEnd, except for purchases "
        "whose charge period is the commitment term, and corrections.",
        "condition": _and(_is("ChargeClass", None), _not("ChargeCategory", "Purchase")),
        "requirement": {"CheckFunction": "ColumnLessOrEqualColumn",
                        "ColumnAName": "ChargePeriodEnd", "ColumnBName": "BillingPeriodEnd"},
    },
    {
        "id": "FG-CommitmentDiscount-001",
        "dataset": "CostAndUsage",
        "column": "EffectiveCost",
        "severity": "error",
        "message": "Σ EffectiveCost of a commitment's Used and Unused rows MUST equal Σ BilledCost "
        "of its Purchase rows when the whole term is in the data (DiscountHandling).",
        "requirement": {"CheckFunction": "CommitmentAmortization"},
        "columns": ["CommitmentDiscountId", "CommitmentDiscountStatus", "ChargeCategory",
                    "BilledCost", "EffectiveCost", "ChargePeriodStart", "ChargePeriodEnd"],
    },
    {
        "id": "FG-CommitmentDiscount-002",
        "dataset": "CostAndUsage",
        "column": "CommitmentDiscountStatus",
        "severity": "error",
        "message": "CommitmentDiscountStatus \"Unused\" MUST only appear on rows with "
        "ChargeCategory \"Usage\" and ConsumedQuantity null (DiscountHandling).",
        "condition": _is("CommitmentDiscountStatus", "Unused"),
        "requirement": _is("ChargeCategory", "Usage"),
    },
    {
        "id": "FG-CommitmentDiscount-003",
        "dataset": "CostAndUsage",
        "column": "PricingCategory",
        "severity": "error",
        "message": "PricingCategory MUST NOT be \"Committed\" on the purchase of a commitment.",
        "condition": _is("ChargeCategory", "Purchase"),
        "requirement": _not("PricingCategory", "Committed"),
    },
    {
        "id": "FG-ContractApplied-001",
        "dataset": "CostAndUsage",
        "column": "ContractApplied",
        "severity": "error",
        "versions": ["1.3", "1.4"],
        "message": "Every ContractApplied Elements[*].ContractCommitmentId MUST exist in the "
        "ContractCommitment dataset (when that dataset is in the data).",
        "requirement": {"CheckFunction": "ContractAppliedLink"},
        "columns": ["ContractApplied"],
    },
    {
        "id": "FG-InvoiceDetail-001",
        "dataset": "InvoiceDetail",
        "column": "BilledCost",
        "severity": "error",
        "versions": ["1.4"],
        "message": "Σ InvoiceDetail.BilledCost per (InvoiceId, InvoiceIssuerName) MUST match "
        "Σ CostAndUsage.BilledCost within the Rounding Variance Tolerance "
        "unless the invoice is Open.",
        "requirement": {"CheckFunction": "InvoiceReconciliation"},
        "columns": ["InvoiceId", "InvoiceIssuerName", "BilledCost"],
    },
] + [{**r, "versions": ["1.4"]} for r in OWN_RULES_14]  # fmt: skip


def _strip(rule_id: str) -> tuple[str, str]:
    head, _, rest = rule_id.partition("-")
    if head in PREFIX_DATASET:
        return PREFIX_DATASET[head], (rest if head == "CAU" else rule_id)
    return "CostAndUsage", rule_id


def _severity(keyword: str) -> str | None:
    keyword = keyword.upper()
    if keyword.startswith("MUST"):
        return "error"
    if keyword.startswith(("SHOULD", "RECOMMENDED")):
        return "warning"
    return None


def _functions(tree: dict) -> set[str]:
    found = {tree.get("CheckFunction")} if tree.get("CheckFunction") else set()
    for item in tree.get("Items", []):
        found |= _functions(item)
    return found


def _columns(tree: dict) -> set[str]:
    cols = {tree[k] for k in ("ColumnName", "ColumnAName", "ColumnBName", "ResultColumnName")
            if tree.get(k)}  # fmt: skip
    for item in tree.get("Items", []):
        cols |= _columns(item)
    return cols


def _allowed_values(tree: dict) -> str | None:
    """The column when a requirement is the model's OR-list of allowed values."""
    if tree.get("CheckFunction") != "OR":
        return None
    items = tree.get("Items", [])
    cols = {i.get("ColumnName") for i in items}
    if items and len(cols) == 1 and all(i.get("CheckFunction") == "CheckValue" for i in items):
        return cols.pop()
    return None


def _repair(tree: dict) -> dict:
    """Fix the model's typo'd trees ("CheckCondition" where "ColumnName" is meant)."""
    tree = dict(tree)
    if "CheckCondition" in tree and "ColumnName" not in tree:
        tree["ColumnName"] = tree.pop("CheckCondition")
    if "Items" in tree:
        tree["Items"] = [_repair(i) for i in tree["Items"]]
    return tree


_NULL_WHEN = re.compile(r"^(\w+) MUST( NOT)? be null when (\w+) is( not)? null\.$")


def _from_text(message: str) -> tuple[dict, dict] | None:
    """(requirement, condition) of a plain "X MUST [NOT] be null when Y is [not] null." rule.

    Two 1.3 rules carry a tree that says the opposite of their text (CommitmentDiscountStatus-
    C-003-C, PricingCurrencyContractedUnitPrice-C-012-C); for this form the text is authoritative.
    """
    match = _NULL_WHEN.match(message)
    if not match:
        return None
    col, neg, other, other_neg = match.groups()
    req = _not(col, None) if neg else _is(col, None)
    return req, (_not(other, None) if other_neg else _is(other, None))


def _conditions(rules: dict) -> dict[str, list[dict]]:
    """Every leaf's inherited composite conditions (AND-composites only)."""
    inherited: dict[str, list[dict]] = {}

    def visit(rule_id: str, above: list[dict]) -> None:
        rule = rules.get(rule_id)
        if rule is None:
            return
        crit = rule["ValidationCriteria"]
        here = above + ([crit["Condition"]] if crit.get("Condition") else [])
        if rule_id in inherited and len(inherited[rule_id]) >= len(above):
            return
        inherited[rule_id] = above
        req = crit.get("Requirement") or {}
        if req.get("CheckFunction") == "AND":
            for item in req.get("Items", []):
                if item.get("CheckFunction") == "CheckModelRule":
                    visit(item["ModelRuleId"], here)

    for rule_id in rules:
        visit(rule_id, [])
    return inherited


def compile_model(path: Path, facts: dict, version: str) -> tuple[list[dict], dict[str, str]]:
    """Leaf rules of one model, plus the model's presence-rule id per (dataset, column)."""
    rules = json.loads(path.read_text())["ModelRules"]
    inherited = _conditions(rules)
    out, presence = [], {}
    for rule_id, rule in rules.items():
        dataset, short = _strip(rule_id)
        crit = rule["ValidationCriteria"]
        req = dict(crit.get("Requirement") or {})
        if rule["Function"] == "Presence":
            if req.get("CheckFunction") == "ColumnPresent":
                presence[f"{dataset}.{req['ColumnName']}"] = short
            continue
        if rule["EntityType"] == "Attribute" or rule["Function"] == "Composite":
            continue
        override = OVERRIDES.get(short, {})
        if "drop" in override:
            continue
        req = override.get("Requirement", req)
        severity = _severity(crit.get("Keyword", ""))
        if not req or severity is None or not _functions(req) <= SUPPORTED:
            continue
        conds = [*inherited.get(rule_id, [])]
        cond = override.get("Condition", crit.get("Condition") or None)
        if cond:
            conds.append(cond)
        if any(not _functions(c) <= SUPPORTED for c in conds):
            continue
        column = _allowed_values(req)
        if column:
            spec = {c["name"]: c for c in facts[version].get(dataset, [])}.get(column)
            if spec and spec.get("allowed"):
                req = {"CheckFunction": "InSet", "ColumnName": column, "Values": spec["allowed"]}
        if short.startswith("ServiceSubcategory-C-004"):
            spec = {c["name"]: c for c in facts[version]["CostAndUsage"]}["ServiceSubcategory"]
            req = {"CheckFunction": "ParentInMap", "ColumnName": "ServiceSubcategory",
                   "ParentColumnName": "ServiceCategory", "Parents": spec["parents"]}  # fmt: skip
        entry = {
            "id": short,
            "dataset": dataset,
            "column": rule.get("Reference") or rule.get("EntityId"),
            "severity": severity,
            "message": crit.get("MustSatisfy", "").strip(),
            "requirement": req,
        }
        entry["requirement"] = _repair(req)
        conds = [_repair(c) for c in conds]
        from_text = _from_text(entry["message"])
        if from_text:
            entry["requirement"], conds = from_text[0], [*conds[:-1], from_text[1]]
        if conds:
            entry["condition"] = conds[0] if len(conds) == 1 else _and(*conds)
        out.append(entry)
    return out, presence


def _facts() -> dict:
    raw = json.loads((SHARED / "columns.json").read_text())
    facts = {}
    for version, datasets in raw.items():
        if version.startswith("_"):
            continue
        facts[version] = {}
        for dataset, cols in datasets.items():
            facts[version][dataset] = []
            for c in cols:
                entry = {"name": c["name"], "type": c["type"], "level": c["feature_level"],
                         "nullable": bool(c["nullable"])}  # fmt: skip
                allowed = c.get("allowed_values")
                if allowed and isinstance(allowed[0], dict):
                    entry["allowed"] = [a["value"] for a in allowed]
                    entry["parents"] = {a["value"]: a["parent"] for a in allowed}
                elif allowed:
                    entry["allowed"] = list(allowed)
                facts[version][dataset].append(entry)
    return facts


def main() -> None:
    facts = _facts()
    models, presence = {}, {}
    for model, rel in MODELS.items():
        models[model], presence[model] = compile_model(SHARED / rel, facts, model)
    with (SHARED / "currency_codes.csv").open() as fh:
        currencies = sorted({row["currency_codes"] for row in csv.DictReader(fh)})
    data = {
        "_about": "compiled by scripts/build_validate_rules.py from the FOCUS requirements "
        "models 1.2/1.3 and the column facts; do not edit by hand",
        "version_model": VERSION_MODEL,
        "models": models,
        "presence_ids": presence,
        "own_rules": OWN_RULES,
        "columns": facts,
        "currencies": currencies,
    }
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(json.dumps(data, indent=None, separators=(",", ":")) + "\n")
    counts = {m: len(r) for m, r in models.items()}
    print(f"wrote {TARGET}: {counts} model rules, {len(OWN_RULES)} own rules")


if __name__ == "__main__":
    main()
