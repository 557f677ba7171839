{#- The type of an instant: a timestamp with time zone. Spark's TIMESTAMP is one (an instant shown in the session's
    time zone) and its parser rejects the standard's name. dbt.type_timestamp() is not this: on DuckDB it is the
    naive TIMESTAMP. -#}
{% macro type_timestamp_tz() -%}
    {{ return(adapter.dispatch('type_timestamp_tz')()) }}
{%- endmacro %}

{% macro duckdb__type_timestamp_tz() -%}
    timestamp with time zone
{%- endmacro %}

{% macro spark__type_timestamp_tz() -%}
    timestamp
{%- endmacro %}
