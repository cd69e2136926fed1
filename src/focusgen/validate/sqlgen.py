"""Translate a rule's predicate tree (the requirements model's check functions) into DuckDB SQL."""

from __future__ import annotations

import re

from focusgen.focus.units import UNIT_FORMAT
from focusgen.validate.reader import NULL_PLACEHOLDERS
from focusgen.validate.rules import currencies
from focusgen.validate.typed import TypedView, is_numeric, is_text, is_timestamp, q, text_col

# NumericFormat: plain or scientific numbers, '-' only, no '+', separators, symbols or units.
NUMERIC_RE = r"-?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE]-?[0-9]+)?"
# DateTimeFormat: ISO 8601 extended, UTC, "YYYY-MM-DDTHH:mm:ssZ".
DATETIME_RE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"
JSON_TYPES = {
    "Array": ("ARRAY",),
    "Object": ("OBJECT",),
    "String": ("VARCHAR",),
    "Decimal": ("DOUBLE", "BIGINT", "UBIGINT"),
    "DateTime": ("VARCHAR",),
}
# Relative part of the cost-relation tolerance: double arithmetic on either side of the file.
RELATIVE_TOLERANCE = 1e-9


class Unsupported(ValueError):
    """A check function this engine cannot run on this data."""


def lit(value) -> str:
    """A SQL literal."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def _in(values) -> str:
    return "(" + ", ".join(lit(v) for v in values) + ")"


def _member(expr: str, values) -> str:
    """expr is one of values; a regex alternation is much faster than IN for long lists."""
    values = list(values)
    if len(values) <= 12:
        return f"{expr} IN {_in(values)}"
    return f"regexp_full_match({expr}, {lit('|'.join(re.escape(v) for v in values))})"


def _decimals(text: str) -> str:
    """Significant digits after the point of a decimal text (trailing zeros are padding)."""
    return (
        f"CASE WHEN regexp_matches({text}, '[eE]') THEN NULL "
        f"ELSE length(rtrim(split_part({text}, '.', 2), '0')) END"
    )


def _half_ulp(view: TypedView, col: str) -> str:
    """Half a unit in the last written digit of a CSV decimal (0 for typed sources)."""
    if col not in view.text:
        return "0"
    return f"coalesce(0.5 * pow(10, -{_decimals(text_col(col))}), 0)"


def _json_values(col: str, path: str) -> str:
    """The JSON values at a (possibly wildcard) path, as a list."""
    if "[*]" in path or path.endswith(".*"):
        return f"json_extract({q(col)}, {lit(path)})"
    return f"[json_extract({q(col)}, {lit(path)})]"


def _all(values: str, predicate: str) -> str:
    """True when predicate(v) holds for every non-null value in the list."""
    keep = f"lambda v: v IS NOT NULL AND NOT coalesce({predicate}, false)"
    return f"len(list_filter({values}, {keep})) = 0"


def _key_value_object(expr: str) -> str:
    """KeyValueFormat: a JSON object with unique keys and only scalar values.

    A cheap test passes the common case (an object with no ':' followed by '{' or '[', and no
    key twice is left to the exact test); only the rest is parsed key by key.
    """
    cheap = (
        f"(left({expr}, 1) = '{{' AND NOT regexp_matches({expr}, ':\\s*[\\[{{]') "
        f"AND len(json_keys({expr})) = len(list_distinct(json_keys({expr}))))"
    )
    # CASE, not AND: DuckDB may evaluate both sides of AND, and json_keys() raises on bad JSON.
    return (
        f"(CASE WHEN json_valid({expr}) THEN ({cheap} OR {_key_value_exact(expr)}) ELSE false END)"
    )


def _key_value_exact(expr: str) -> str:
    return (
        f"(json_type({expr}::JSON) = 'OBJECT' "
        f"AND len(json_keys({expr})) = len(list_distinct(json_keys({expr}))) "
        f"AND len(list_filter(json_extract({expr}, '$.*'), "
        "lambda x: json_type(x) IN ('OBJECT', 'ARRAY'))) = 0)"
    )


def _is_null(view: TypedView, col: str) -> str:
    """Null as written: a text value that fails its cast is a type error, not a null."""
    if col in view.text:
        return f"({text_col(col)} IS NULL OR {text_col(col)} IN {_in(NULL_PLACEHOLDERS)})"
    return f"{q(col)} IS NULL"


def _type_ok(view: TypedView, col: str, focus_type: str) -> str:
    dtype = view.source_types[col]
    if focus_type == "String":
        return "TRUE" if is_text(dtype) else "FALSE"
    if focus_type == "Decimal":
        if is_numeric(dtype):
            return "TRUE"
        return "TRUE" if is_text(dtype) else "FALSE"
    if focus_type == "Date/Time":
        return "TRUE" if (is_timestamp(dtype) or is_text(dtype)) else "FALSE"
    return "TRUE"


def _format(view: TypedView, col: str, regex: str) -> str:
    if col not in view.text:
        return "TRUE"  # a typed Parquet/JSON value has no text to mis-format
    return f"({_is_null(view, col)} OR regexp_full_match({text_col(col)}, {lit(regex)}))"


def predicate(tree: dict, view: TypedView, version: str) -> str:
    """SQL that is true where the tree holds (NULL counts as not holding at the top)."""
    fn = tree.get("CheckFunction")
    col = tree.get("ColumnName")
    c = q(col) if col else None
    if fn in ("AND", "OR"):
        parts = [f"coalesce({predicate(i, view, version)}, false)" for i in tree["Items"]]
        return "(" + f" {fn} ".join(parts) + ")"
    if fn == "CheckValue":
        return _is_null(view, col) if tree["Value"] is None else f"{c} = {lit(tree['Value'])}"
    if fn == "CheckNotValue":
        if tree["Value"] is None:
            return f"NOT {_is_null(view, col)}"
        return f"{c} IS DISTINCT FROM {lit(tree['Value'])}"
    if fn == "InSet":
        return f"({c} IS NULL OR {_member(c, tree['Values'])})"
    if fn == "ParentInMap":
        parent = q(tree["ParentColumnName"])
        cases = " ".join(f"WHEN {lit(k)} THEN {lit(v)}" for k, v in tree["Parents"].items())
        return (
            f"({c} IS NULL OR (CASE {c} {cases} ELSE {parent} END) IS NOT DISTINCT FROM {parent})"
        )
    if fn == "CheckGreaterOrEqualThanValue":
        return f"({c} IS NULL OR {c} >= {lit(tree['Value'])})"
    if fn in ("ColumnLessThanColumn", "ColumnLessOrEqualColumn"):
        a, b = q(tree["ColumnAName"]), q(tree["ColumnBName"])
        op = "<" if fn == "ColumnLessThanColumn" else "<="
        return f"({a} IS NULL OR {b} IS NULL OR {a} {op} {b})"
    if fn in ("CheckSameValue", "CheckNotSameValue"):
        a, b = q(tree["ColumnAName"]), q(tree["ColumnBName"])
        op = "IS NOT DISTINCT FROM" if fn == "CheckSameValue" else "IS DISTINCT FROM"
        return f"({a} {op} {b})"
    if fn == "ColumnByColumnEqualsColumnValue":
        a, b, r = tree["ColumnAName"], tree["ColumnBName"], tree["ResultColumnName"]
        qa, qb, qr = q(a), q(b), q(r)
        # Tolerance: double rounding, plus the rounding of each CSV decimal text as written.
        tol = (
            f"({RELATIVE_TOLERANCE} * greatest(abs({qr}), abs({qa} * {qb})) + 1e-12 "
            f"+ {_half_ulp(view, r)} + abs({qb}) * {_half_ulp(view, a)} "
            f"+ abs({qa}) * {_half_ulp(view, b)})"
        )
        return f"({qa} IS NULL OR {qb} IS NULL OR {qr} IS NULL OR abs({qa} * {qb} - {qr}) <= {tol})"
    if fn == "TypeString":
        return _type_ok(view, col, "String")
    if fn in ("TypeDecimal", "CheckDecimalValue"):
        if col in view.text:
            return f"({text_col(col)} IS NULL OR {c} IS NOT NULL OR " + (
                f"{text_col(col)} IN ('', 'NULL', 'null', 'Null', 'None', 'none', 'NaN', 'nan', "
                "'N/A', 'n/a'))"
            )
        return _type_ok(view, col, "Decimal")
    if fn == "TypeDateTime":
        if col in view.text:
            return (
                f"({text_col(col)} IS NULL OR {c} IS NOT NULL OR {text_col(col)} IN "
                "('', 'NULL', 'null', 'Null', 'None', 'none', 'N/A', 'n/a'))"
            )
        return _type_ok(view, col, "Date/Time")
    if fn == "FormatNumeric":
        return _format(view, col, NUMERIC_RE)
    if fn == "FormatDateTime":
        return _format(view, col, DATETIME_RE)
    if fn == "FormatString":
        return f"({c} IS NULL OR trim({c}) <> '')"
    if fn in ("FormatCurrency", "CheckNationalCurrency"):
        iso = _member(c, currencies())
        if fn == "FormatCurrency" and col == "PricingCurrency" and version in ("1.2", "1.3"):
            # 1.2/1.3 CurrencyFormat admits virtual currencies; they must not look like ISO codes.
            return f"({c} IS NULL OR {iso} OR NOT regexp_full_match({c}, '[A-Z]{{3}}'))"
        return f"({c} IS NULL OR {iso})"
    if fn == "CheckRange":
        bounds = []
        if tree.get("Min") is not None:
            bounds.append(f"{c} {'>' if tree.get('ExclusiveMin') else '>='} {lit(tree['Min'])}")
        if tree.get("Max") is not None:
            bounds.append(f"{c} {'<' if tree.get('ExclusiveMax') else '<='} {lit(tree['Max'])}")
        return f"({c} IS NULL OR ({' AND '.join(bounds) or 'TRUE'}))"
    if fn == "FormatRegex":
        return f"({c} IS NULL OR regexp_full_match({c}, {lit(tree['Pattern'])}))"
    if fn == "FormatUnit":
        return f"({c} IS NULL OR regexp_full_match({c}, {lit(UNIT_FORMAT.pattern)}))"
    if fn == "FormatKeyValue":
        return f"({c} IS NULL OR {_key_value_object(c)})"
    if fn == "FormatJSON":
        return (
            f"({c} IS NULL OR CASE WHEN json_valid({c}) THEN json_type({c}::JSON) = 'OBJECT' "
            "ELSE false END)"
        )
    if fn.startswith("JSON"):
        c = q(col or tree["ColumnAName"])
        return f"({c} IS NULL OR CASE WHEN json_valid({c}) THEN {_json(tree, view)} ELSE true END)"
    raise Unsupported(fn)


def _json(tree: dict, view: TypedView) -> str:
    fn, col = tree["CheckFunction"], tree.get("ColumnName")
    path = tree.get("Path") or ""
    if fn == "JSONCheckPathType":
        types = JSON_TYPES.get(tree["ExpectedType"], (tree["ExpectedType"].upper(),))
        if "[*]." in path:
            # A property inside array elements: its type, not its nullability (own rules).
            types = (*types, "NULL")
        return _all(_json_values(col, path), f"json_type(v) IN {_in(types)}") + (
            f" AND json_extract({q(col)}, {lit(path)}) IS NOT NULL" if "[*]" not in path else ""
        )
    if fn == "JSONCheckPathKeyExists":
        parent, _, key = path.rpartition(".")
        return _all(_json_values(col, parent), f"json_exists(v, {lit('$.' + key)})")
    if fn == "JSONCheckPathKeyStartsWith":
        ignore = _in(tree.get("IgnoreKeys") or [""])
        keys = f"flatten(list_transform({_json_values(col, path)}, lambda e: json_keys(e)))"
        return _all(keys, f"starts_with(v, {lit(tree['Prefix'])}) OR v IN {ignore}")
    if fn == "JSONCheckPathKeysMatch":
        allowed = _in(tree.get("AllowedKeys") or [""])
        keys = (
            f"flatten(list_transform({_json_values(col, path)}, "
            "lambda e: CASE WHEN json_type(e) = 'OBJECT' THEN json_keys(e) ELSE [] END))"
        )
        return _all(keys, f"v IN {allowed} OR regexp_full_match(v, {lit(tree['Pattern'])})")
    if fn == "JSONArrayNotEmpty":
        c, p = q(col), lit(path)
        return f"(json_type({c}, {p}) IS DISTINCT FROM 'ARRAY' OR json_array_length({c}, {p}) > 0)"
    if fn == "JSONElementKeysNotNull":
        # Every object at the path has all of AllOf / one of AnyOf set (present, not null),
        # where its WhenNotNull key is set.
        def has(key: str) -> str:
            return f"coalesce(json_type(v, {lit('$.' + key)}), 'NULL') <> 'NULL'"

        parts = [has(k) for k in tree.get("AllOf", [])]
        if tree.get("AnyOf"):
            parts.append("(" + " OR ".join(has(k) for k in tree["AnyOf"]) + ")")
        pred = " AND ".join(parts)
        if tree.get("WhenNotNull"):
            pred = f"NOT {has(tree['WhenNotNull'])} OR ({pred})"
        return _all(_json_values(col, path), f"json_type(v) <> 'OBJECT' OR {pred}")
    if fn == "JSONCheckPathRange":
        value = "(v ->> '$')::DOUBLE"
        return _all(
            _json_values(col, path),
            "json_type(v) NOT IN ('DOUBLE', 'BIGINT', 'UBIGINT') OR "
            f"({value} >= {lit(tree['Min'])} AND {value} <= {lit(tree['Max'])})",
        )
    if fn == "JSONPathContainsColumn":
        other = q(tree["ColumnBName"])
        values = f"list_transform({_json_values(col, path)}, lambda v: v ->> '$')"
        return f"({other} IS NULL OR list_contains({values}, {other}))"
    if fn == "JSONCheckPathKeyValueFormat":
        return _all(_json_values(col, path), _key_value_object("v"))
    if fn in ("JSONFormatNumeric", "JSONCheckPathNumericFormat"):
        return _all(
            _json_values(col, path),
            "json_type(v) IN ('DOUBLE', 'BIGINT', 'UBIGINT', 'NULL') OR (json_type(v) = 'VARCHAR' "
            f"AND regexp_full_match(v ->> '$', {lit(NUMERIC_RE)}))",
        )
    if fn in ("JSONFormatUnit", "JSONCheckPathUnitFormat"):
        return _all(
            _json_values(col, path),
            f"json_type(v) = 'NULL' OR regexp_full_match(v ->> '$', {lit(UNIT_FORMAT.pattern)})",
        )
    if fn == "JSONFormatString":
        return _all(_json_values(col, path), "json_type(v) IN ('VARCHAR', 'NULL')")
    if fn == "JSONCheckPathSameValue":
        other = q(tree["ColumnBName"])
        values = _json_values(tree["ColumnAName"], tree["PathA"])
        return _all(values, f"json_type(v) = 'NULL' OR (v ->> '$') IS NOT DISTINCT FROM {other}")
    raise Unsupported(fn)
