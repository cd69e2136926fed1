"""Vectorised random tokens (hex, digits, UUIDs) and id-template filling over numpy arrays."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

import numpy as np

_HEX = np.array(list("0123456789abcdef"))
_DIGITS = np.array(list("0123456789"))
_UPPER = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"))
_PLACEHOLDER = re.compile(r"\{([a-z_0-9]+)\}")


def _chars(rng: np.random.Generator, alphabet: np.ndarray, n: int, width: int) -> np.ndarray:
    picks = alphabet[rng.integers(0, len(alphabet), size=(n, width))]
    return np.ascontiguousarray(picks).view(f"<U{width}").ravel()


def hex_tokens(rng: np.random.Generator, n: int, width: int) -> np.ndarray:
    """n random lowercase hex strings of the given width."""
    return _chars(rng, _HEX, n, width)


def digit_tokens(rng: np.random.Generator, n: int, width: int) -> np.ndarray:
    """n random digit strings of the given width, never starting with 0."""
    first = _chars(rng, _DIGITS[1:], n, 1)
    return np.strings.add(first, _chars(rng, _DIGITS, n, width - 1))


def upper_tokens(rng: np.random.Generator, n: int, width: int) -> np.ndarray:
    """n random upper-case alphanumeric strings (AWS SKU style)."""
    return _chars(rng, _UPPER, n, width)


def uuid_tokens(rng: np.random.Generator, n: int) -> np.ndarray:
    """n random UUID-4-shaped strings."""
    raw = hex_tokens(rng, n, 32)
    parts = [
        np.strings.slice(raw, a, b) for a, b in ((0, 8), (8, 12), (12, 16), (16, 20), (20, 32))
    ]
    parts[2] = np.strings.add("4", np.strings.slice(parts[2], 1, 4))
    out = parts[0]
    for part in parts[1:]:
        out = np.strings.add(np.strings.add(out, "-"), part)
    return out


def placeholders(template: str) -> list[str]:
    """The placeholder names a template uses."""
    return _PLACEHOLDER.findall(template)


def fill(template: str, values: Mapping[str, Callable[[], np.ndarray]], n: int) -> np.ndarray:
    """Fill a template like ``arn:aws:ec2:{region}:{account}:x/{hex17}`` for n rows at once.

    ``values`` maps placeholder names to thunks producing an array of n strings; each
    placeholder is produced once, so repeated placeholders get the same value.
    """
    out = np.full(n, "", dtype="<U1")
    cache: dict[str, np.ndarray] = {}
    position = 0
    for match in _PLACEHOLDER.finditer(template):
        literal = template[position : match.start()]
        if literal:
            out = np.strings.add(out, literal)
        name = match.group(1)
        if name not in values:
            raise KeyError(f"unknown placeholder {{{name}}} in {template!r}")
        if name not in cache:
            value = np.asarray(values[name]())
            # Text stays as it is (fixed or variable width: adding the two gives variable
            # width); anything else becomes its string form.
            if value.dtype.kind not in "UT":
                value = value.astype(str)
            cache[name] = value
        out = np.strings.add(out, cache[name])
        position = match.end()
    if position < len(template):
        out = np.strings.add(out, template[position:])
    return out
