"""focusgen: synthetic, coherent, conformant FOCUS billing data for many clouds."""

__version__ = "0.1.0"

from focusgen.run import RunSummary, generate
from focusgen.scenario import Scenario, ScenarioError, load_scenario

__all__ = ["RunSummary", "Scenario", "ScenarioError", "__version__", "generate", "load_scenario"]
