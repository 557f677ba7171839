{#- Type-2 history of the golden records as ordinary models, built the same way on every engine: no dbt snapshot
    (it needs MERGE, which Spark has only with a table format such as Delta or Iceberg) and no UPDATE.

    - `<record>_versions` (macro type2_versions): an append-only log, an incremental model with the append strategy
      (every adapter honours it). Each run appends a version of every record whose checked columns changed since
      its latest version, or that is new, or back after a deletion; and a tombstone (`is_deleted`) for every record
      that is gone. `valid_from` is the run's start (UTC).
    - `<record>_history` (macro type2_intervals): the validity intervals, derived from the log by a window:
      `valid_to` is the next version's `valid_from` (the tombstone's, for a deleted record), null while current.

    "As of" a point in time (macro as_of):
      select * from {{ as_of('natural_person_history', "timestamp '2026-11-01 00:00:00'") }} -#}

{#- The run's start, UTC, to the microsecond (ISO text without its offset, which every engine casts alike). -#}
{% macro run_timestamp() -%}
    cast('{{ run_started_at.isoformat(" ", "microseconds")[:26] }}' as timestamp)
{%- endmacro %}


{#- The columns of `relation` (a ref) but those in `leave_out`, comma-separated, each qualified with `alias` if given.
    Where the relation does not exist yet (a project compiled without its tables), `alias.*` stands for them. -#}
{% macro column_list(relation, alias=none, leave_out=[]) -%}
    {%- set prefix = alias ~ '.' if alias else '' -%}
    {%- if not execute or load_relation(relation) is none -%}
        {{ prefix }}*
    {%- else -%}
        {%- set names = adapter.get_columns_in_relation(relation) | map(attribute='name') | reject('in', leave_out) -%}
        {%- for name in names %}{{ prefix }}{{ name }}{{ ", " if not loop.last }}{% endfor -%}
    {%- endif -%}
{%- endmacro %}


{% macro type2_versions(relation, key, check_cols) -%}
    {%- set stamp = run_timestamp() -%}
    {%- if is_incremental() %}
    with latest as (
        select *
        from (
            select
                v.*,
                row_number() over (partition by v.{{ key }} order by v.valid_from desc) as version_rank
            from {{ this }} as v
        ) as ranked
        where version_rank = 1
    )

    -- new, changed, or back after a deletion
    select {{ column_list(relation, 'c') }}, false as is_deleted, {{ stamp }} as valid_from
    from {{ relation }} as c
    left join latest as l on l.{{ key }} = c.{{ key }}
    where l.{{ key }} is null
        or l.is_deleted
        or not (
            {%- for col in check_cols %}
            c.{{ col }} is not distinct from l.{{ col }}{{ " and" if not loop.last }}
            {%- endfor %}
        )

    union all

    -- gone: its last version again, as a tombstone
    select {{ column_list(relation, 'l') }}, true as is_deleted, {{ stamp }} as valid_from
    from latest as l
    left join {{ relation }} as c on c.{{ key }} = l.{{ key }}
    where c.{{ key }} is null and not l.is_deleted
    {%- else %}
    select {{ column_list(relation, 'c') }}, false as is_deleted, {{ stamp }} as valid_from
    from {{ relation }} as c
    {%- endif %}
{%- endmacro %}


{% macro type2_intervals(versions, key) -%}
    select {{ column_list(versions, leave_out=['is_deleted']) }}, valid_to
    from (
        select
            v.*,
            lead(v.valid_from) over (partition by v.{{ key }} order by v.valid_from) as valid_to
        from {{ versions }} as v
    ) as intervals
    where not is_deleted
{%- endmacro %}


{% macro as_of(history_name, at) -%}
    (
        select *
        from {{ ref(history_name) }}
        where valid_from <= {{ at }}
            and (valid_to is null or valid_to > {{ at }})
    ) as {{ history_name }}_as_of
{%- endmacro %}
