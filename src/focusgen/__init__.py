"""focusgen: synthetic, coherent, conformant FOCUS billing data for many clouds."""

import os

__version__ = "0.1.0"

# For users who choose mimalloc (focusgen asks for jemalloc, see focusgen.memory): it keeps
# freed pages for a while, and chunks come and go quickly, so ask it to return them at once
# (only effective when focusgen is imported before pyarrow).
os.environ.setdefault("MIMALLOC_PURGE_DELAY", "0")

from focusgen.memory import prefer_allocator_before_import

prefer_allocator_before_import()

from focusgen.run import RunSummary, generate  # noqa: E402  (pyarrow loads here)
from focusgen.scenario import Scenario, ScenarioError, load_scenario  # noqa: E402

__all__ = ["RunSummary", "Scenario", "ScenarioError", "__version__", "generate", "load_scenario"]
