{#-
  Putting a relation row (a residence, a household, a premises) in a grid. Sources outside the grid platform
  name a village and an address, rarely a grid; the grid platform's own records say which grid a house, an
  address or a building is in (model int_grid_locations).
-#}

{#- A building's address: the address without its trailing room ("…路13号1404房" → "…路13号"). -#}
{% macro address_building(expr) -%}
    regexp_replace({{ expr }}, '[0-9]+房$', '')
{%- endmacro %}

{#-
  Select from CTE `cte` with four columns added: located_grid_code, located_house_no, located_village_code and
  located_by (how the grid was found). `cte` must have house_no, address, village_code (a known village or null)
  and grid_code (the record's own grid, or null). The first that names a grid wins: the record's own grid
  (grid_record), the grid platform's record of the same house number (house_no), of the same address (address,
  which also gives the house number), of the same building (building), or the village's only grid
  (single_grid_village). A grid outside the row's village is never taken; a row without a village takes its own
  grid's, else the village of the grid found.
-#}
{% macro locate_in_grid(cte) -%}
    {%- set lookups = [('house_no', cte ~ '.house_no'), ('address', cte ~ '.address'),
                       ('building', address_building(cte ~ '.address'))] -%}
    {%- set village = 'coalesce(' ~ cte ~ '.village_code, own_grid.village_code)' -%}
    select
        {{ cte }}.*,
        coalesce(
            own_grid.grid_code,
            {%- for kind, _ in lookups %}
            by_{{ kind }}.grid_code,
            {%- endfor %}
            by_village.grid_code
        ) as located_grid_code,
        coalesce({{ cte }}.house_no, by_address.house_no) as located_house_no,
        coalesce(
            {{ village }},
            {%- for kind, _ in lookups %}
            by_{{ kind }}.village_code{{ ',' if not loop.last }}
            {%- endfor %}
        ) as located_village_code,
        case
            when own_grid.grid_code is not null then 'grid_record'
            {%- for kind, _ in lookups %}
            when by_{{ kind }}.grid_code is not null then '{{ kind }}'
            {%- endfor %}
            when by_village.grid_code is not null then 'single_grid_village'
        end as located_by
    from {{ cte }}
    left join {{ ref('grids') }} as own_grid
        on {{ cte }}.grid_code = own_grid.grid_code
        and ({{ cte }}.village_code is null or {{ cte }}.village_code = own_grid.village_code)
    {%- for kind, value in lookups %}
    left join {{ ref('int_grid_locations') }} as by_{{ kind }}
        on by_{{ kind }}.located_by = '{{ kind }}'
        and {{ value }} = by_{{ kind }}.location_value
        and ({{ village }} is null or {{ village }} = by_{{ kind }}.village_code)
    {%- endfor %}
    left join {{ ref('int_grid_locations') }} as by_village
        on by_village.located_by = 'single_grid_village'
        and {{ cte }}.village_code = by_village.location_value
{%- endmacro %}
