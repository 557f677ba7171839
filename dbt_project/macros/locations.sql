{#-
  Putting a relation row (a residence, a household, a premises) in a grid. Sources outside the grid platform
  name a village and an address, rarely a grid; the grid platform's own records say which grid a house, an
  address or a building is in (model int_grid_locations).
-#}

{#- A building's address: the address without its trailing room ("…路13号1404房" → "…路13号"). -#}
{% macro address_building(expr) -%}
    {{ regex_remove_suffix(expr, '[0-9]+房') }}
{%- endmacro %}

{#-
  Select from CTE `cte` with four columns added: located_grid_code, located_house_no, located_village_code and
  located_by (how the grid was found). `cte` must have house_no, address, village_code (a known village or null)
  and grid_code (the record's own grid, or null). The first that names a grid wins: the record's own grid
  (grid_record), the grid platform's record of the same house number (house_no), of the same address (address,
  which also gives the house number), of the same building (building), or the village's only grid
  (single_grid_village). A grid outside the row's village is never taken; a row without a village takes its own
  grid's, else the village of the grid found.

  Every join is an equality join: (kind, value) names at most one row of int_grid_locations, and one grid_code one
  grid, so whether the village agrees is decided after the join (a case per column), never inside its condition.
  With the `or` inside the left joins' conditions (DuckDB 1.5 keeps it as a residual predicate of each hash join),
  `person_residence` ran past 47 minutes at `district`; the same rows, checksummed, now come from plain hash joins
  (issue 14; timings in bench/README.md).
-#}
{% macro locate_in_grid(cte) -%}
    {%- set lookups = [('house_no', cte ~ '.house_no'), ('address', cte ~ '.address'),
                       ('building', address_building(cte ~ '.address'))] -%}
    {#- the record's own grid counts when it lies in the record's village (or the record names none) -#}
    {%- set own_ok = '(' ~ cte ~ '.village_code is null or ' ~ cte ~ '.village_code = own_grid.village_code)' -%}
    {%- set village = 'coalesce(' ~ cte ~ '.village_code, case when ' ~ own_ok ~ ' then own_grid.village_code end)' -%}
    select
        {{ cte }}.*,
        coalesce(
            case when {{ own_ok }} then own_grid.grid_code end,
            {%- for kind, _ in lookups %}
            {{ _found_in_village(kind, 'grid_code', village) }},
            {%- endfor %}
            by_village.grid_code
        ) as located_grid_code,
        coalesce({{ cte }}.house_no, {{ _found_in_village('address', 'house_no', village) }}) as located_house_no,
        coalesce(
            {{ village }},
            {%- for kind, _ in lookups %}
            {{ _found_in_village(kind, 'village_code', village) }}{{ ',' if not loop.last }}
            {%- endfor %}
        ) as located_village_code,
        case
            when {{ own_ok }} and own_grid.grid_code is not null then 'grid_record'
            {%- for kind, _ in lookups %}
            when {{ _found_in_village(kind, 'grid_code', village) }} is not null then '{{ kind }}'
            {%- endfor %}
            when by_village.grid_code is not null then 'single_grid_village'
        end as located_by
    from {{ cte }}
    left join {{ ref('grids') }} as own_grid
        on {{ cte }}.grid_code = own_grid.grid_code
    {%- for kind, value in lookups %}
    left join {{ ref('int_grid_locations') }} as by_{{ kind }}
        on by_{{ kind }}.located_by = '{{ kind }}'
        and {{ value }} = by_{{ kind }}.location_value
    {%- endfor %}
    left join {{ ref('int_grid_locations') }} as by_village
        on by_village.located_by = 'single_grid_village'
        and {{ cte }}.village_code = by_village.location_value
{%- endmacro %}


{#- A column of lookup `by_<kind>`, or null when the grid it found lies outside the row's village. -#}
{% macro _found_in_village(kind, column, village) -%}
    case when {{ village }} is null or {{ village }} = by_{{ kind }}.village_code then by_{{ kind }}.{{ column }} end
{%- endmacro %}
