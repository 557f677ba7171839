{#- Microseconds since 1970-01-01 UTC of an instant (a timestamp with time zone): a number, so a sort key can be
    negated to sort the latest first inside a struct. -#}
{% macro epoch_microseconds(expr) -%}
    {{ return(adapter.dispatch('epoch_microseconds')(expr)) }}
{%- endmacro %}

{% macro duckdb__epoch_microseconds(expr) -%}
    epoch_us({{ expr }})
{%- endmacro %}

{% macro spark__epoch_microseconds(expr) -%}
    unix_micros(cast({{ expr }} as timestamp))
{%- endmacro %}
