"""Dask executor: chunk tasks on a ``distributed`` cluster, submitted like a local pool."""

from __future__ import annotations

from typing import Any


def connect(address: str) -> Any:
    """A client of the Dask scheduler at ``address`` (``tcp://HOST:PORT``)."""
    from distributed import Client

    return Client(address, timeout="10s")


class DaskExecutor:
    """Adapts a ``distributed.Client`` to ``submit``/``shutdown`` as the run loop uses them."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def submit(self, fn, *args):
        """Run ``fn(*args)`` on the cluster; the future's ``result()`` re-raises its error."""
        # pure=False: every chunk task is its own task even when arguments compare equal.
        return self.client.submit(fn, *args, pure=False, retries=0)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Nothing to stop: the client and its cluster belong to the caller."""
