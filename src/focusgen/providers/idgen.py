"""Vectorised random tokens (hex, digits, UUIDs) and id-template filling, as numpy or Arrow text."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping

import numpy as np
import pyarrow as pa

from focusgen.engine import kernels as pc
from focusgen.engine.arrow import as_arrow

_PLACEHOLDER = re.compile(r"\{([a-z_0-9]+)\}")
_HEX = "0123456789abcdef"
_DIGITS = "0123456789"
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

# A UUID's 36 characters as positions in 32 random hex digits (-1: a dash, -2: the "4"
# of version 4, which replaces the 13th digit).
_UUID_LAYOUT = np.array(
    [*range(8), -1, *range(8, 12), -1, -2, *range(13, 16), -1, *range(16, 20), -1, *range(20, 32)]
)


@functools.cache
def _codes(alphabet: str, dtype: str) -> np.ndarray:
    """An ASCII alphabet's code points: ``<u4`` reads as numpy text, ``u1`` as bytes."""
    return np.array([ord(c) for c in alphabet], dtype=dtype)


def _char_matrix(
    rng: np.random.Generator, alphabet: str, n: int, width: int, dtype: str
) -> np.ndarray:
    """An (n, width) matrix of random characters' codes drawn from the alphabet."""
    return _codes(alphabet, dtype)[rng.integers(0, len(alphabet), size=(n, width))]


def _digit_matrix(rng: np.random.Generator, n: int, width: int, dtype: str) -> np.ndarray:
    first = _char_matrix(rng, _DIGITS[1:], n, 1, dtype)  # never a leading 0
    return np.hstack([first, _char_matrix(rng, _DIGITS, n, width - 1, dtype)])


def _uuid_matrix(rng: np.random.Generator, n: int, dtype: str) -> np.ndarray:
    raw = _char_matrix(rng, _HEX, n, 32, dtype)
    out = raw[:, np.maximum(_UUID_LAYOUT, 0)]
    out[:, _UUID_LAYOUT == -1] = ord("-")
    out[:, _UUID_LAYOUT == -2] = ord("4")
    return out


def _numpy_text(matrix: np.ndarray) -> np.ndarray:
    """Rows of uint32 code points as fixed-width numpy strings (numpy's own layout)."""
    return np.ascontiguousarray(matrix).view(f"<U{matrix.shape[1]}").ravel()


def arrow_text(matrix: np.ndarray) -> pa.Array:
    """Rows of uint8 ASCII codes as an Arrow string array (the matrix's bytes are its data)."""
    n, width = matrix.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    data = np.ascontiguousarray(matrix).tobytes()
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data)])


def hex_tokens(rng: np.random.Generator, n: int, width: int) -> np.ndarray:
    """n random lowercase hex strings of the given width."""
    return _numpy_text(_char_matrix(rng, _HEX, n, width, "<u4"))


def hex_text(rng: np.random.Generator, n: int, width: int) -> pa.Array:
    """``hex_tokens`` as Arrow text (the same draws give the same strings)."""
    return arrow_text(_char_matrix(rng, _HEX, n, width, "u1"))


def digit_tokens(rng: np.random.Generator, n: int, width: int) -> np.ndarray:
    """n random digit strings of the given width, never starting with 0."""
    return _numpy_text(_digit_matrix(rng, n, width, "<u4"))


def digit_text(rng: np.random.Generator, n: int, width: int) -> pa.Array:
    """``digit_tokens`` as Arrow text."""
    return arrow_text(_digit_matrix(rng, n, width, "u1"))


def upper_tokens(rng: np.random.Generator, n: int, width: int) -> np.ndarray:
    """n random upper-case alphanumeric strings (AWS SKU style)."""
    return _numpy_text(_char_matrix(rng, _UPPER, n, width, "<u4"))


def uuid_tokens(rng: np.random.Generator, n: int) -> np.ndarray:
    """n random UUID-4-shaped strings."""
    return _numpy_text(_uuid_matrix(rng, n, "<u4"))


def uuid_text(rng: np.random.Generator, n: int) -> pa.Array:
    """``uuid_tokens`` as Arrow text."""
    return arrow_text(_uuid_matrix(rng, n, "u1"))


def placeholders(template: str) -> list[str]:
    """The placeholder names a template uses."""
    return _PLACEHOLDER.findall(template)


def as_text(values: np.ndarray | pa.Array) -> pa.Array:
    """Arrow text of strings or numbers (numbers as their decimal form)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not isinstance(values, pa.Array):
        values = as_arrow(np.asarray(values))
    if not pa.types.is_string(values.type):
        values = pc.cast(values, pa.string())
    return values


@functools.cache
def _literal(text: str) -> pa.Scalar:
    return pa.scalar(text, pa.string())


def join(*pieces: pa.Array | str) -> pa.Array:
    """Texts joined row by row; plain strings are the same on every row."""
    # Arrow scalars made once: converting a Python string on every call costs more than
    # joining a small kind's few hundred ids.
    kept = [p for p in pieces if not isinstance(p, str) or p]  # empty literals add nothing
    parts = [_literal(p) if isinstance(p, str) else p for p in kept]
    return pc.binary_join_element_wise(*parts, _literal(""))


def fill(
    template: str, values: Mapping[str, Callable[[], np.ndarray | pa.Array]], n: int
) -> pa.Array:
    """Fill a template like ``arn:aws:ec2:{region}:{account}:x/{hex17}`` for n rows at once.

    ``values`` maps placeholder names to thunks producing n strings or numbers (numpy or
    Arrow); each placeholder is produced once, in the order the template first uses it, so
    repeated placeholders get the same value and random draws happen in a fixed order.
    The pieces are joined by Arrow in one pass: numpy's fixed-width strings were copied
    whole at every piece (~1.5 us a resource for a 10M-row daily world).
    """
    literals, names = _parsed(template)
    cache: dict[str, pa.Array] = {}
    for name in names:
        if name not in values:
            raise KeyError(f"unknown placeholder {{{name}}} in {template!r}")
        if name not in cache:
            cache[name] = as_text(values[name]())
    if not cache:
        return pa.repeat(pa.scalar(template, pa.string()), n)
    pieces: list[pa.Array | str] = [literals[0]]
    for name, literal in zip(names, literals[1:], strict=True):
        pieces += [cache[name], literal]
    return join(*pieces)


@functools.cache
def _parsed(template: str) -> tuple[list[str], list[str]]:
    """A template's literal texts and, between them, its placeholder names."""
    parts = _PLACEHOLDER.split(template)
    return parts[0::2], parts[1::2]
