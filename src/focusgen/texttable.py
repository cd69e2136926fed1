"""Plain aligned text tables for the command's output: a header, a rule, then the rows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def text_table(
    header: Sequence[str], rows: Iterable[Sequence[str]], right: Iterable[int] = ()
) -> str:
    """The rows under their header, columns two spaces apart; ``right`` columns right-aligned.

    Plain text reads the same in a terminal, a log or a pipe, and needs no rendering library
    on the path of every run.
    """
    body = [list(row) for row in rows]
    widths = [max(len(cell) for cell in column) for column in zip(header, *body, strict=True)]
    right = set(right)

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            cell.rjust(width) if i in right else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return "\n".join([line(header), "  ".join("-" * w for w in widths), *map(line, body)])
