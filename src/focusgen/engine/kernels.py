"""Arrow compute functions called by name, without loading ``pyarrow.compute``.

``pyarrow.compute`` writes a Python wrapper, signature and docstring for each of its ~300
functions when it loads: ~25 ms of every run's start, serial before any chunk. The
engine calls the few it needs straight from Arrow's function registry, with the same
arguments and results (``import focusgen.engine.kernels as pc`` reads as before). Arrow's
own ``Array.take``, ``.cast``, ``.dictionary_encode``... load ``pyarrow.compute``, so the
run's modules call these functions instead of those methods.

The functions come from ``pyarrow._compute``, the Cython layer ``pyarrow.compute`` wraps;
``tests/test_kernels.py`` checks each against ``pyarrow.compute``, so an Arrow release that
changes that layer fails the tests, not a run.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
from pyarrow import _compute

from focusgen.engine.arrow import as_arrow

# name as called -> (registry name, positional inputs (None: any number), options type)
_FUNCTIONS: dict[str, tuple[str, int | None, type | None]] = {
    "add": ("add", 2, None),
    "and_": ("and", 2, None),
    "binary_join_element_wise": ("binary_join_element_wise", None, None),
    "binary_length": ("binary_length", 1, None),
    "binary_replace_slice": ("binary_replace_slice", 1, _compute.ReplaceSliceOptions),
    "coalesce": ("coalesce", None, None),
    "count_distinct": ("count_distinct", 1, _compute.CountOptions),
    "dictionary_encode": ("dictionary_encode", 1, _compute.DictionaryEncodeOptions),
    "divide": ("divide", 2, None),
    "drop_null": ("drop_null", 1, None),
    "equal": ("equal", 2, None),
    "extract_regex": ("extract_regex", 1, _compute.ExtractRegexOptions),
    "filter": ("filter", 2, _compute.FilterOptions),
    "if_else": ("if_else", 3, None),
    "index_in": ("index_in", 1, _compute.SetLookupOptions),
    "invert": ("invert", 1, None),
    "is_null": ("is_null", 1, _compute.NullOptions),
    "is_valid": ("is_valid", 1, None),
    "less": ("less", 2, None),
    "match_substring": ("match_substring", 1, _compute.MatchSubstringOptions),
    "multiply": ("multiply", 2, None),
    "not_equal": ("not_equal", 2, None),
    "or_": ("or", 2, None),
    "replace_substring": ("replace_substring", 1, _compute.ReplaceSubstringOptions),
    "replace_with_mask": ("replace_with_mask", 3, None),
    "round": ("round", 1, _compute.RoundOptions),
    "strftime": ("strftime", 1, _compute.StrftimeOptions),
    "subtract": ("subtract", 2, None),
    "sum": ("sum", 1, _compute.ScalarAggregateOptions),
    "unique": ("unique", 1, None),
}


def __getattr__(name: str) -> Any:
    """``kernels.<name>(*inputs, *options, **options)`` as ``pyarrow.compute.<name>``."""
    if name not in _FUNCTIONS:
        raise AttributeError(f"focusgen.engine.kernels has no function {name!r}")
    registry_name, arity, options_type = _FUNCTIONS[name]
    function = _compute.get_function(registry_name)

    def call(*args: Any, **kwargs: Any) -> Any:
        inputs, extra = (args, ()) if arity is None else (args[:arity], args[arity:])
        if (extra or kwargs) and options_type is None:
            raise TypeError(f"{name} takes no options")
        options = options_type(*extra, **kwargs) if extra or kwargs else None
        return function.call([_typed(value) for value in inputs], options)

    call.__name__ = call.__qualname__ = name
    globals()[name] = call  # made once per process
    return call


# Python scalars as the Arrow scalars type inference would make: inferring loads dateutil
# (~4 ms, in every worker's first chunk) to check for timezones.
_SCALAR_TYPES = {bool: pa.bool_(), int: pa.int64(), float: pa.float64(), str: pa.string()}


def _typed(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return as_arrow(value)  # Arrow's own conversion would load numpy.ma
    kind = _SCALAR_TYPES.get(type(value))
    return value if kind is None else pa.scalar(value, kind)


def cast(values: Any, target_type: pa.DataType, safe: bool = True) -> Any:
    """``values`` as ``target_type`` (``safe`` rejects overflow and truncation)."""
    options = (
        _compute.CastOptions.safe(target_type) if safe else _compute.CastOptions.unsafe(target_type)
    )
    return _compute.call_function("cast", [_typed(values)], options)


def take(values: Any, indices: Any) -> Any:
    """``values[indices]``, checking every index is in range."""
    return _compute.call_function("take", [_typed(values), _typed(indices)], _compute.TakeOptions())


def fill_null(values: Any, fill_value: Any) -> Any:
    """``values`` with nulls replaced by ``fill_value`` (taken in the values' type)."""
    if not isinstance(fill_value, (pa.Array, pa.ChunkedArray, pa.Scalar)):
        fill_value = pa.scalar(fill_value, type=values.type)
    elif fill_value.type != values.type:
        fill_value = pa.scalar(fill_value.as_py(), type=values.type)
    return _compute.call_function("coalesce", [values, fill_value])
