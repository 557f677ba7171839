{#- "As of" a point in time over a type-2 snapshot (snapshots/_history__snapshots.yml): the version of each record
    that was current at `at`, a SQL timestamp expression. Use in an analysis or a query compiled by dbt:
      select * from {{ as_of('natural_person_history', "timestamp '2026-11-01 00:00:00+08'") }}
    The condition is plain SQL, so it runs on every adapter. -#}
{% macro as_of(snapshot_name, at) -%}
    (
        select *
        from {{ ref(snapshot_name) }}
        where dbt_valid_from <= {{ at }}
            and (dbt_valid_to is null or dbt_valid_to > {{ at }})
    ) as {{ snapshot_name }}_as_of
{%- endmacro %}
