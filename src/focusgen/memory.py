"""Process memory policy: which allocator Arrow uses and how glibc serves large buffers."""

from __future__ import annotations

import ctypes
import functools
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


def apply_memory_policy() -> None:
    """Before a run builds its world: jemalloc for Arrow, chunk buffers from the heap."""
    use_preferred_allocator()
    reuse_chunk_pages()


def use_preferred_allocator() -> None:
    """Switch Arrow's default pool to jemalloc when pyarrow loaded before focusgen could ask.

    Buffers keep the pool that allocated them, so switching mid-process is safe.
    """
    import pyarrow as pa

    if _USER_CHOICE or pa.default_memory_pool().backend_name == PREFERRED_BACKEND:
        return
    if PREFERRED_BACKEND in pa.supported_memory_backends():
        pa.set_memory_pool(pa.jemalloc_memory_pool())


M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3


@functools.cache
def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc: nothing to tune
        return None


def reuse_chunk_pages() -> None:
    """Serve buffers up to 32 MB from glibc's heap and keep up to 64 MB free at its top.

    A 125K-row chunk allocates ~100 numpy temporaries of ~1 MB. Served by mmap (the fixed
    256 KB threshold focusgen used before), each is a fresh mapping whose pages fault in on
    first touch: 1.9M page faults and about a quarter of the run time for 10M rows; glibc's
    own sliding threshold still left 0.6M faults (12.1 s). From the heap, a chunk reuses
    the pages the previous chunk freed. Measured against the 256 KB threshold (AWS hourly
    Parquet, one core): 1M rows 1.07 s against 1.39 s, 10M rows 10.84 s against 14.81 s;
    peak RSS 170 against 167 MB and 185 against 182 MB. ``return_free_pages`` gives the
    heap back after a run.
    """
    libc = _libc()
    if libc is not None:
        libc.mallopt(M_MMAP_THRESHOLD, 32 << 20)
        libc.mallopt(M_TRIM_THRESHOLD, 64 << 20)


# Whether runs give their free heap pages back; a process that ends after its run has no
# use for that (the OS takes every page at exit) and skips the ~3-4 ms it costs.
_give_back = True


def process_ends_after_run() -> None:
    """Tell focusgen this process exits once its run is done (the CLI): keep free pages."""
    global _give_back
    _give_back = False


def return_free_pages() -> None:
    """Return the heap's free pages to the OS (after a run, for long-lived processes)."""
    libc = _libc()
    if libc is not None and _give_back:
        libc.malloc_trim(0)
