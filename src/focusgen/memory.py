"""Process memory policy: which allocator Arrow uses and how glibc serves large buffers."""

from __future__ import annotations

import ctypes
import os
import sys

# jemalloc against Arrow's default mimalloc (with MIMALLOC_PURGE_DELAY=0), AWS hourly
# Parquet on the shared 2-core box, `bench_engine.py --workers 1`, medians of 3: 1M rows
# 1.37 s against 1.55 s, 10M rows 14.23 s against 15.87 s; peak RSS 3 and 7 MB higher.
PREFERRED_BACKEND = "jemalloc"


_ENV = "ARROW_DEFAULT_MEMORY_POOL"
# The user's own choice, read before focusgen sets its default.
_USER_CHOICE = os.environ.get(_ENV)


def prefer_allocator_before_import() -> None:
    """Ask Arrow for jemalloc through its environment variable (Linux wheels ship it).

    Arrow reads the variable once, when pyarrow loads, and mimalloc costs ~9 MB of RSS once
    it has served anything: so this runs before focusgen imports pyarrow. A user's own
    setting wins.
    """
    if sys.platform == "linux" and "pyarrow" not in sys.modules:
        os.environ.setdefault(_ENV, PREFERRED_BACKEND)


def use_preferred_allocator() -> None:
    """Switch Arrow's default pool to jemalloc when pyarrow loaded before focusgen could ask.

    Buffers keep the pool that allocated them, so switching mid-process is safe.
    """
    import pyarrow as pa

    if _USER_CHOICE or pa.default_memory_pool().backend_name == PREFERRED_BACKEND:
        return
    if PREFERRED_BACKEND in pa.supported_memory_backends():
        pa.set_memory_pool(pa.jemalloc_memory_pool())


def map_large_allocations() -> None:
    """Serve large numpy buffers from mmap so freed chunks go straight back to the OS.

    glibc otherwise raises its mmap threshold after the first big free and keeps chunk
    buffers in a heap that only grows; a fixed threshold keeps peak RSS flat.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    m_mmap_threshold = -3
    libc.mallopt(m_mmap_threshold, 256 * 1024)
