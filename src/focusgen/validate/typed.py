"""The typed view of a dataset: FOCUS columns cast to their FOCUS types, source text kept."""

from __future__ import annotations

from dataclasses import dataclass

from focusgen.validate.reader import FILE_COLUMN, NULL_PLACEHOLDERS, Source

NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
           "UINTEGER", "UBIGINT", "FLOAT", "DOUBLE", "DECIMAL")  # fmt: skip


def q(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def text_col(name: str) -> str:
    """The view column holding a column's source text (only for text-sourced columns)."""
    return q(f"__text_{name}")


def is_numeric(duck_type: str) -> bool:
    return duck_type.upper().startswith(NUMERIC)


def is_text(duck_type: str) -> bool:
    return duck_type.upper() in ("VARCHAR", "JSON")


def is_timestamp(duck_type: str) -> bool:
    return duck_type.upper().startswith(("TIMESTAMP", "DATE"))


@dataclass
class TypedView:
    """What the typed view of one dataset holds."""

    name: str
    focus_types: dict[str, str]  # FOCUS column present in the data -> FOCUS type
    source_types: dict[str, str]  # every source column -> DuckDB type
    text: set[str]  # columns whose source text is kept as __text_<name>
    placeholders: dict[str, str]  # column -> SQL of its source text, checked for "NULL" and ""

    def has(self, *columns: str) -> bool:
        return all(c in self.focus_types for c in columns)


def _placeholder_null(expr: str) -> str:
    values = ", ".join("'" + v + "'" for v in NULL_PLACEHOLDERS)
    return f"CASE WHEN {expr} IN ({values}) THEN NULL ELSE {expr} END"


def build(con, source: Source, focus_types: dict[str, str]) -> TypedView:
    """Create view ``v_<dataset>`` over ``raw_<dataset>`` with FOCUS-typed columns."""
    present = {c: t for c, t in focus_types.items() if c in source.types}
    selects, text, holders = [f"filename AS {q(FILE_COLUMN)}"], set(), {}
    # Text formats write "NULL" for nulls often enough that the later rules should see a null
    # (one NullHandling finding, not a cascade); typed Parquet strings are left as they are.
    normalize = source.fmt != "parquet"
    for col, ftype in present.items():
        dtype = source.types[col].upper()
        src = q(col)
        if is_text(dtype) and ftype in ("String", "JSON") and not normalize:
            holders[col] = src
            selects.append(src)
        elif is_text(dtype):
            clean = _placeholder_null(src)
            text.add(col)
            holders[col] = text_col(col)
            selects.append(f"{src} AS {text_col(col)}")
            if ftype == "Decimal":
                selects.append(f"TRY_CAST({clean} AS DOUBLE) AS {src}")
            elif ftype == "Date/Time":
                selects.append(f"TRY_CAST({clean} AS TIMESTAMPTZ) AS {src}")
            else:
                selects.append(f"{clean} AS {src}")
        elif ftype == "Decimal":
            selects.append(f"TRY_CAST({src} AS DOUBLE) AS {src}")
        elif ftype == "Date/Time":
            selects.append(f"TRY_CAST({src} AS TIMESTAMPTZ) AS {src}")
        elif (ftype == "JSON" and dtype.startswith(("STRUCT", "MAP", "[", "LIST"))) or (
            ftype == "JSON" and dtype.endswith("[]")
        ):
            selects.append(f"CAST(to_json({src}) AS VARCHAR) AS {src}")
        else:
            selects.append(f"CAST({src} AS VARCHAR) AS {src}")
    name = f"v_{source.dataset}"
    con.execute(
        f"CREATE OR REPLACE VIEW {q(name)} AS SELECT {', '.join(selects)} FROM {q(source.view)}"
    )
    return TypedView(name, present, dict(source.types), text, holders)
