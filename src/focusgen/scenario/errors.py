"""User-facing errors: one line naming the field, the value and what is allowed."""

from __future__ import annotations

from pydantic import ValidationError


class ScenarioError(ValueError):
    """A scenario or option a user gave is not acceptable; the message says why."""


def explain(error: ValidationError, prefix: str = "") -> ScenarioError:
    """Turn the first pydantic error into one clear line."""
    first = error.errors(include_url=False)[0]
    field = ".".join(str(p) for p in first["loc"]) or "scenario"
    value = first.get("input")
    kind = first["type"]
    if kind == "extra_forbidden":
        text = f"unknown field '{field}'"
    else:
        shown = repr(value) if not isinstance(value, dict) else "{…}"
        message = first["msg"].removeprefix("Value error, ")
        text = message if field == "scenario" else f"{prefix}{field}={shown}: {message}"
    more = len(error.errors()) - 1
    if more:
        text += f" (and {more} more problem{'s' if more > 1 else ''})"
    return ScenarioError(text)
