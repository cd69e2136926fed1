"""The Scenario: one validated description of the organisation and run to simulate."""

from focusgen.scenario.errors import ScenarioError
from focusgen.scenario.load import load_scenario
from focusgen.scenario.model import (
    DEFAULT_PROVIDERS,
    FOCUS_VERSIONS,
    PROVIDERS,
    OutputOptions,
    ProfileSettings,
    Scenario,
)

__all__ = [
    "DEFAULT_PROVIDERS",
    "FOCUS_VERSIONS",
    "PROVIDERS",
    "OutputOptions",
    "ProfileSettings",
    "Scenario",
    "ScenarioError",
    "load_scenario",
]
