"""Pause the cyclic GC around work that allocates much and leaves no cyclic garbage."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def gc_paused(freeze: bool = False) -> Iterator[None]:
    """Run the block without cyclic collections; with ``freeze``, exempt what it kept.

    Loading modules or building a world allocates enough objects to set off full
    collections that walk everything loaded and free nothing. Frozen objects are skipped
    by every later collection: for what stays alive until the process ends (a command's
    modules). The GC's previous setting is restored.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if collecting:
            gc.enable()
