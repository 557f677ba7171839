"""SQL expressions that DuckDB and Spark spell or count differently, each chosen per dialect in one place: what
Python-side SQL (entity resolution's features and comparisons) uses where the plain spelling would mean two things.

The dbt project has the same ideas as macros (dbt_project/macros/portable/); these are for SQL that Python runs on
either engine without dbt. Everything else in that SQL is written once, in the subset both engines read alike.
"""

from __future__ import annotations

from typing import Any, Literal

Dialect = Literal["duckdb", "spark"]
DIALECTS: tuple[Dialect, ...] = ("duckdb", "spark")


def trim_spaces(expr: str, dialect: Dialect) -> str:
    """The text without Unicode space characters (Zs: the ASCII space, no-break space, ideographic space …) at either
    end. DuckDB's trim() does that; Spark's takes off the ASCII space only (as dbt's trim_spaces macro)."""
    if dialect == "spark":
        return rf"regexp_replace({expr}, '\\A\\p{{Zs}}+|\\p{{Zs}}+\\z', '')"
    return f"trim({expr})"


def full_match(expr: str, pattern: str, dialect: Dialect) -> str:
    """Whether the whole text matches `pattern` (a regular expression both RE2 and Java read alike, no quotes in it).
    Spark's rlike finds the pattern anywhere, and Java's `$` also matches before a final line break: `\\A…\\z`."""
    if "'" in pattern or "\\" in pattern:
        raise ValueError(f"pattern must not hold quotes or backslashes: {pattern!r}")
    if dialect == "spark":
        return rf"({expr} rlike '\\A(?:{pattern})\\z')"
    return f"regexp_full_match({expr}, '{pattern}')"


def date_from_digits(expr: str, dialect: Dialect) -> str:
    """Eight digits `yyyymmdd` as a date, null where they are no date (19900230). Spark's to_date fails on those when
    ANSI mode is on, so try_to_date there."""
    if dialect == "spark":
        return f"try_to_date({expr}, 'yyyyMMdd')"
    return f"try_strptime({expr}, '%Y%m%d')::date"


def utf8_bytes(expr: str, dialect: Dialect) -> str:
    """The text with one character per UTF-8 byte, for the string measures DuckDB takes over bytes.

    DuckDB 1.5's levenshtein and jaro_winkler_similarity count UTF-8 bytes (levenshtein('张伟', '章伟') is 2, and a
    Chinese character is three bytes); Spark's levenshtein and Splink's jaro_winkler UDF count characters (1 there).
    Read as ISO-8859-1, each byte of the UTF-8 encoding becomes one character, so Spark measures what DuckDB measures.
    On DuckDB the text is left as it is."""
    if dialect == "spark":
        return f"decode(encode({expr}, 'UTF-8'), 'ISO-8859-1')"
    return expr


# The name of jaro_winkler's Spark implementation, a Python UDF (register_spark_functions).
SPARK_JARO_WINKLER = "zhongtai_jaro_winkler_utf8"


def jaro_winkler(left: str, right: str, dialect: Dialect) -> str:
    """Jaro-Winkler similarity of the UTF-8 bytes of two texts, as DuckDB's jaro_winkler_similarity computes it.

    DuckDB's is rapidfuzz's algorithm over bytes, with a prefix weight of 0.1 for up to four equal leading bytes.
    Splink's Spark UDF (Apache Commons Text) is another implementation: over characters, with the prefix weight
    min(0.1, 1 / length), and its Jaro differs on some strings as well; over the bytes of the tiny district's
    addresses (3,239 pairs within a village) it gave 1,604 pairs another value, 5 of them on the other side of the
    person model's 0.9. On Spark, therefore, a Python UDF that calls rapidfuzz over the bytes (SPARK_JARO_WINKLER)."""
    if dialect == "spark":
        return f"{SPARK_JARO_WINKLER}({left}, {right})"
    return f"jaro_winkler_similarity({left}, {right})"


def register_spark_functions(spark: Any) -> None:
    """Register the Python UDFs the Spark spellings above call (the session's Python workers need rapidfuzz)."""
    import pandas as pd
    from pyspark.sql.functions import pandas_udf

    def series_udf(left: Any, right: Any) -> Any:
        return jaro_winkler_utf8(left, right)

    # pandas_udf tells a Series-to-Series UDF by its type hints, which must be types, not this module's strings
    series_udf.__annotations__ = {"left": pd.Series, "right": pd.Series, "return": pd.Series}
    spark.udf.register(SPARK_JARO_WINKLER, pandas_udf(series_udf, "double"))  # type: ignore[call-overload]


def jaro_winkler_utf8(left: Any, right: Any) -> Any:
    """rapidfuzz's Jaro-Winkler similarity of each pair's UTF-8 bytes (two pandas Series of text; null where either
    side is)."""
    import numpy as np
    import pandas as pd
    from rapidfuzz.distance import JaroWinkler
    from rapidfuzz.process import cpdist

    present = (left.notna() & right.notna()).to_numpy()
    out = np.full(len(left), np.nan)
    if present.any():
        out[present] = cpdist(
            [s.encode() for s in left[present]],
            [s.encode() for s in right[present]],
            scorer=JaroWinkler.similarity,
            dtype=np.float64,
            workers=1,
        )
    return pd.Series(out, index=left.index).where(present, None)
