"""The FOCUS UnitFormat grammar (PricingUnit, ConsumedUnit, CommitmentDiscountUnit)."""

from __future__ import annotations

import re

_SIZE = "|".join(
    [f"{p}{u}" for u in ("b", "B") for p in ("", "K", "M", "G", "T", "P", "E")]
    + [f"{p}i{u}" for u in ("b", "B") for p in ("K", "M", "G", "T", "P", "E")]
)
_TIME_ONE = "Year|Month|Day|Hour|Minute|Second"
_TIME_MANY = "Years|Months|Days|Hours|Minutes|Seconds"
_COUNT = r"[A-Za-z][A-Za-z0-9]*(?: [A-Za-z][A-Za-z0-9]*)*"
_UNIT = f"(?:{_SIZE}|{_COUNT})"

UNIT_FORMAT = re.compile(
    "^(?:"
    f"{_UNIT}"  # GB, Requests
    f"|{_UNIT}-(?:{_TIME_MANY})"  # GB-Hours
    f"|(?:{_UNIT}|{_TIME_MANY})/(?:{_TIME_ONE})"  # GB/Hour
    f"|[0-9]+ {_UNIT}"  # 1000 Requests
    f"|(?:{_UNIT}|{_TIME_MANY})/[0-9]+ (?:{_TIME_MANY})"  # Requests/3 Months
    ")$"
)


def is_unit(text: str) -> bool:
    """True when ``text`` follows the FOCUS UnitFormat."""
    return bool(UNIT_FORMAT.match(text))
