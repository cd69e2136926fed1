"""Guess the FOCUS version of a Cost and Usage dataset from its column set."""

from __future__ import annotations

from focusgen.validate.rules import column_facts, known_versions


def detect_version(columns: set[str]) -> str:
    """The version whose Cost and Usage columns fit best (newest wins a tie).

    Score: columns the version defines and the data has, minus columns the data has that the
    version does not define, minus half of the version's columns the data lacks.
    """
    focus = {c for c in columns if not c.startswith("x_")}
    best, best_score = known_versions()[0], float("-inf")
    for version in known_versions():
        defined = {c["name"] for c in column_facts(version, "CostAndUsage")}
        score = len(focus & defined) - len(focus - defined) - 0.5 * len(defined - focus)
        if score >= best_score:
            best, best_score = version, score
    return best
