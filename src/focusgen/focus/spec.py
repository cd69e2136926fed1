"""Read the package's FOCUS column facts (names, types, levels, allowed values) per version."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class ColumnSpec:
    """One FOCUS column of one version and dataset."""

    name: str
    type: str
    level: str
    nullable: bool
    allowed: tuple[str, ...] | None
    parents: dict[str, str] | None


@cache
def _facts() -> dict:
    return json.loads(resources.files("focusgen.focus").joinpath("columns.json").read_text())


def versions() -> list[str]:
    """FOCUS versions the package knows."""
    return list(_facts())


def datasets(version: str) -> list[str]:
    """Datasets defined by a FOCUS version."""
    return list(_facts()[version])


@cache
def columns(version: str, dataset: str = "CostAndUsage") -> tuple[ColumnSpec, ...]:
    """The columns of a version's dataset, in the spec's (alphabetical) order."""
    return tuple(
        ColumnSpec(
            name=c["name"],
            type=c["type"],
            level=c["level"],
            nullable=c["nullable"],
            allowed=tuple(c["allowed"]) if c.get("allowed") else None,
            parents=c.get("parents"),
        )
        for c in _facts()[version][dataset]
    )


def column_names(version: str, dataset: str = "CostAndUsage") -> list[str]:
    """Column names of a version's dataset."""
    return [c.name for c in columns(version, dataset)]


@cache
def service_categories() -> tuple[str, ...]:
    """The allowed ServiceCategory values."""
    spec = next(c for c in columns("1.2") if c.name == "ServiceCategory")
    return spec.allowed or ()


@cache
def subcategory_parents() -> dict[str, str]:
    """ServiceSubcategory value -> its parent ServiceCategory."""
    spec = next(c for c in columns("1.2") if c.name == "ServiceSubcategory")
    return dict(spec.parents or {})
