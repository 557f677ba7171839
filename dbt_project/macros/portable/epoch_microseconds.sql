{#- Microseconds since 1970-01-01 00:00 UTC of an instant (a timestamp with time zone), as a bigint, per engine. -#}
{% macro epoch_microseconds(expr) -%}
    {{ return(adapter.dispatch('epoch_microseconds')(expr)) }}
{%- endmacro %}

{% macro duckdb__epoch_microseconds(expr) -%}
    epoch_us({{ expr }})
{%- endmacro %}

{% macro spark__epoch_microseconds(expr) -%}
    unix_micros({{ expr }})
{%- endmacro %}
