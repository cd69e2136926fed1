"""focusgen: synthetic, coherent, conformant FOCUS billing data for many clouds."""

import os

__version__ = "0.1.0"

# For users who choose mimalloc (focusgen asks for jemalloc, see focusgen.memory): it keeps
# freed pages for a while, and chunks come and go quickly, so ask it to return them at once
# (only effective when focusgen is imported before pyarrow).
os.environ.setdefault("MIMALLOC_PURGE_DELAY", "0")

from focusgen.memory import prefer_allocator_before_import

prefer_allocator_before_import()

from typing import TYPE_CHECKING, Any  # noqa: E402

if TYPE_CHECKING:
    from focusgen.run import RunSummary, generate
    from focusgen.scenario import Scenario, ScenarioError, load_scenario

__all__ = ["RunSummary", "Scenario", "ScenarioError", "__version__", "generate", "load_scenario"]


def __getattr__(name: str) -> Any:
    """The engine (numpy, pyarrow, catalogs) loads on first use, not on ``import focusgen``.

    So ``focusgen --version``, ``--help`` and scenario checks start without it. The
    scenario model (pydantic) loads on first use too, so the command's launcher decides
    how it loads (``focusgen.launch``).
    """
    if name in ("RunSummary", "generate"):
        from focusgen import run

        return getattr(run, name)
    if name in ("Scenario", "ScenarioError", "load_scenario"):
        from focusgen import scenario

        return getattr(scenario, name)
    raise AttributeError(f"module 'focusgen' has no attribute {name!r}")
