"""Outputs written beside Cost and Usage: supplemental FOCUS datasets and ground truth."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa


@dataclass(frozen=True)
class ExtraOutput:
    """One file beside the Cost and Usage data.

    ``table`` outputs are written in the run's format at ``path`` + extension;
    ``text`` outputs are written verbatim at ``path`` (which carries its extension).
    """

    path: str
    table: pa.Table | None = None
    text: str | None = None


def extra_outputs(world, scenario, totals=None) -> list[ExtraOutput]:
    """Everything a run writes besides Cost and Usage (``totals`` carries the invoice ledger)."""
    from focusgen.supplemental.datasets import supplemental_outputs
    from focusgen.supplemental.economics import economics_outputs
    from focusgen.supplemental.truth import truth_outputs

    return (
        supplemental_outputs(world, scenario, totals)
        + truth_outputs(world, scenario)
        + economics_outputs(totals)
    )
