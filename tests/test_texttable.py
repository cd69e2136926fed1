"""Plain text tables: every column lines up, whatever the cells' widths."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from focusgen.texttable import text_table

CELL = st.text(alphabet="ab1,.-[]", min_size=1, max_size=12)


@settings(max_examples=150, deadline=None)
@given(
    st.integers(1, 5).flatmap(
        lambda n: st.tuples(
            st.lists(CELL, min_size=n, max_size=n),
            st.lists(st.lists(CELL, min_size=n, max_size=n), max_size=8),
            st.sets(st.integers(0, n - 1)),
        )
    )
)
def test_columns_line_up_left_or_right(case):
    header, rows, right = case
    lines = text_table(header, rows, right=right).split("\n")
    assert len(lines) == len(rows) + 2
    table = [header, *rows]
    widths = [max(len(cell) for cell in column) for column in zip(*table, strict=True)]
    # The rule under the header spans each column's widest cell.
    assert lines[1] == "  ".join("-" * w for w in widths)
    for line, cells in zip([lines[0], *lines[2:]], table, strict=True):
        start = 0
        for i, (cell, width) in enumerate(zip(cells, widths, strict=True)):
            # Each cell sits inside its column: flush right or flush left, padded with spaces.
            field = line[start : start + width].ljust(width)
            assert field == (cell.rjust(width) if i in right else cell.ljust(width))
            start += width + 2
        assert line == line.rstrip()


def test_numbers_right_aligned_under_their_header():
    text = text_table(("name", "rows"), [("a", "1,000"), ("bb", "7")], right=(1,))
    assert text.split("\n") == ["name   rows", "----  -----", "a     1,000", "bb        7"]
