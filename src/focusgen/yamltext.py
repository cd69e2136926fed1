"""YAML text to plain data: libyaml's parser when PyYAML has it, a JSON copy cached by content."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from focusgen import __version__


class YamlError(ValueError):
    """Text that is not valid YAML."""


def load_yaml(text: str) -> Any:
    """Parse YAML text with the safe loader (no arbitrary Python objects)."""
    # Imported here: a run whose YAML files are all cached never loads PyYAML (~12 ms).
    import yaml

    # libyaml reads large files ~10x faster than the pure-Python parser; the resolver and
    # constructor are the same safe ones, so the data is the same.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError as error:
        raise YamlError(str(error)) from None


def cache_dir() -> Path:
    """Where parsed copies are kept (``FOCUSGEN_CACHE_DIR``, else the user's cache)."""
    explicit = os.environ.get("FOCUSGEN_CACHE_DIR")
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "focusgen"


def parsed_yaml(text: str, kind: str) -> Any:
    """A packaged YAML document as plain data, through a JSON copy cached by content.

    Parsing a large catalog's YAML takes a tenth of a second or more per process; its
    JSON copy loads in milliseconds. The copy is keyed by the text and focusgen's version,
    so an edited file is parsed afresh; a cache that cannot be written is skipped.
    """
    key = hashlib.sha256(f"{__version__}\0{text}".encode()).hexdigest()[:32]
    path = cache_dir() / f"{kind}-{key}.json"
    with contextlib.suppress(OSError, ValueError):
        return json.loads(path.read_text())
    data = load_yaml(text)
    with contextlib.suppress(OSError, TypeError, ValueError):
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written under a temporary name and renamed: concurrent runs never read half a file.
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp") as f:
            json.dump(data, f)
        os.replace(f.name, path)
    return data
