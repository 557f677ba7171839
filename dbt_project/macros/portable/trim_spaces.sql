{#- The string without the space characters (Unicode category Zs: the ASCII space, no-break space, ideographic
    space …) at either end; tabs and line breaks stay. That is what DuckDB's trim() does; Spark's trim() takes off
    the ASCII space only, so a no-break space an upstream system left in a name survived there. -#}
{% macro trim_spaces(expr) -%}
    {{ return(adapter.dispatch('trim_spaces')(expr)) }}
{%- endmacro %}

{% macro duckdb__trim_spaces(expr) -%}
    trim({{ expr }})
{%- endmacro %}

{#- `\A` and `\z`: the ends of the text (Java's `$` would also match before a final line break). -#}
{% macro spark__trim_spaces(expr) -%}
    regexp_replace({{ expr }}, '\\A\\p{Zs}+|\\p{Zs}+\\z', '')
{%- endmacro %}
