{#- A row's grid lies in the row's village (seed grids): a relation never puts a person or premises in a grid
    of another village. Rows without a grid pass. -#}
{% test grid_in_village(model, column_name, village_column) %}
select
    rows_.{{ column_name }},
    rows_.{{ village_column }}
from {{ model }} as rows_
inner join {{ ref('grids') }} as grids
    on rows_.{{ column_name }} = grids.grid_code
where rows_.{{ village_column }} is null
    or rows_.{{ village_column }} <> grids.village_code
{% endtest %}
