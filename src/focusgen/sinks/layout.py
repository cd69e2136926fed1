"""Where each chunk's rows go: one file per provider, or hive partitions by billing period."""

from __future__ import annotations

from pathlib import PurePosixPath

from focusgen.sinks.writers import EXTENSIONS


def part_path(layout: str, fmt: str, provider: str, month_label: str, part: int) -> PurePosixPath:
    """Relative path of the file a chunk is written to."""
    ext = EXTENSIONS[fmt]
    if layout == "provider":
        return PurePosixPath(f"{provider}{ext}")
    return PurePosixPath(provider, f"billing_period={month_label}", f"part-{part:05d}{ext}")
