"""Profile and distribution presets, read from the package's presets.yaml."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from focusgen.yamltext import parsed_yaml


@cache
def _presets() -> dict[str, Any]:
    text = resources.files("focusgen.scenario").joinpath("presets.yaml").read_text()
    return parsed_yaml(text, "presets")


def profile_names() -> list[str]:
    """Names of the organisation profile presets."""
    return list(_presets()["profiles"])


def distribution_names() -> list[str]:
    """Names of the service-category distribution presets."""
    return list(_presets()["distributions"])


def profile_preset(name: str) -> dict[str, Any]:
    """The settings a profile preset fixes (a fresh copy)."""
    return dict(_presets()["profiles"][name])


def distribution_preset(name: str) -> dict[str, float]:
    """Category weights of a distribution preset (a fresh copy)."""
    return {k: float(v) for k, v in _presets()["distributions"][name].items()}
