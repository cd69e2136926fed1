"""YAML text to plain data, with libyaml's parser when PyYAML was built with it."""

from __future__ import annotations

from typing import Any

import yaml

# libyaml reads large files ~10x faster than the pure-Python parser; the resolver and
# constructor are the same safe ones, so the data is the same.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """Parse YAML text with the safe loader (no arbitrary Python objects)."""
    return yaml.load(text, Loader=SAFE_LOADER)
