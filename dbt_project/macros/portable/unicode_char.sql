{#- The one-character string of a Unicode code point (a number known when the SQL is compiled).
    Spark's chr() takes its argument modulo 256 (chr(12288), the ideographic space, is U+0000 there, silently), so
    on Spark the character is a string literal with a \u escape. -#}
{% macro unicode_char(code_point) -%}
    {{ return(adapter.dispatch('unicode_char')(code_point)) }}
{%- endmacro %}

{#- DuckDB, Trino and PostgreSQL: chr() takes a code point. -#}
{% macro default__unicode_char(code_point) -%}
    chr({{ code_point }})
{%- endmacro %}

{#- Spark's string literals are UTF-16: a code point past U+FFFF is written as its surrogate pair. -#}
{% macro spark__unicode_char(code_point) -%}
    {%- set n = code_point | int -%}
    {%- if n > 65535 -%}
    '{{ "\\u%04x\\u%04x" | format(55296 + (n - 65536) // 1024, 56320 + (n - 65536) % 1024) }}'
    {%- else -%}
    '{{ "\\u%04x" | format(n) }}'
    {%- endif -%}
{%- endmacro %}
