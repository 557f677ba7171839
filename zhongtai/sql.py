"""SQL quoting, written once: identifiers and string literals as DuckDB (and SQLite) read them."""

from __future__ import annotations


def quote_identifier(name: str) -> str:
    """`name` as a quoted identifier: any text (Chinese headers, spaces, quotes) names exactly itself."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    """`value` as a single-quoted string literal."""
    return "'" + value.replace("'", "''") + "'"


def qualified(*parts: str) -> str:
    """A dotted name of quoted parts, e.g. `"raw"."_deliveries"`."""
    return ".".join(quote_identifier(p) for p in parts)
