{#- The calendar date of an instant (a timestamp with time zone) in the given time zone, whatever the session's.
    DuckDB writes it with `at time zone`, which Spark's parser rejects; on Spark the instant becomes the session's
    wall-clock time, then `zone`'s. -#}
{% macro local_date(expr, zone) -%}
    {{ return(adapter.dispatch('local_date')(expr, zone)) }}
{%- endmacro %}

{% macro duckdb__local_date(expr, zone) -%}
    cast({{ expr }} at time zone '{{ zone }}' as date)
{%- endmacro %}

{% macro spark__local_date(expr, zone) -%}
    cast(convert_timezone('{{ zone }}', cast({{ expr }} as timestamp_ntz)) as date)
{%- endmacro %}
