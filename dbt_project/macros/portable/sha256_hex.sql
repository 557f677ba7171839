{#-
  macros/portable/: one dispatch macro per idea DuckDB and Spark write or answer differently, each with a DuckDB
  (duckdb__ or default__) and a Spark implementation. Models and the other macros call these, never the engine's
  own function: tests/unit/test_portable_sql.py fails when they do, and tests/integration/test_portable_macros.py
  builds every macro here on DuckDB and on local Spark and requires the same rows (DESIGN.md §4, issue 15).
-#}

{#- Lower-case hex SHA-256 of a string expression (UTF-8 bytes), per engine. -#}
{% macro sha256_hex(expr) -%}
    {{ return(adapter.dispatch('sha256_hex')(expr)) }}
{%- endmacro %}

{% macro duckdb__sha256_hex(expr) -%}
    sha256({{ expr }})
{%- endmacro %}

{% macro spark__sha256_hex(expr) -%}
    sha2({{ expr }}, 256)
{%- endmacro %}

{% macro trino__sha256_hex(expr) -%}
    lower(to_hex(sha256(to_utf8({{ expr }}))))
{%- endmacro %}

{% macro postgres__sha256_hex(expr) -%}
    encode(sha256(convert_to({{ expr }}, 'UTF8')), 'hex')
{%- endmacro %}
