{#- The string without a match of `pattern` (a regular expression, without anchors) at its very end.
    The idea is written per engine because neither half carries over: DuckDB's regexp_replace replaces the first
    match only, Spark's every match, and Java's `$` also matches before a final line break where RE2's does not;
    `\z` (Spark) and RE2's `$` both mean the end of the text. -#}
{% macro regex_remove_suffix(expr, pattern) -%}
    {{ return(adapter.dispatch('regex_remove_suffix')(expr, pattern)) }}
{%- endmacro %}

{% macro duckdb__regex_remove_suffix(expr, pattern) -%}
    regexp_replace({{ expr }}, '{{ pattern }}$', '')
{%- endmacro %}

{% macro spark__regex_remove_suffix(expr, pattern) -%}
    regexp_replace({{ expr }}, '(?:{{ pattern }})\\z', '')
{%- endmacro %}
