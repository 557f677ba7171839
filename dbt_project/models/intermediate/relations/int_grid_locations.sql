-- Where the grid platform has placed a house: every house number, address and building (an address without its
-- room) that grid workers recorded in exactly one grid, with that grid and its village; an address also with its
-- house number when only one was recorded there. Plus each village that has a single grid. The relation marts
-- (macro locate_in_grid) use it to put a residence, household or premises in a grid when their source names none.

{%- set text = dbt.type_string() %}

with

residents as (
    select
        residents.house_no,
        residents.address,
        grids.grid_code,
        grids.village_code
    from {{ ref('stg_grid__residents') }} as residents
    inner join {{ ref('grids') }} as grids
        on residents.grid_code = grids.grid_code
),

by_house_no as (
    select
        'house_no' as located_by,
        house_no as location_value,
        min(grid_code) as grid_code,
        min(village_code) as village_code,
        min(house_no) as house_no
    from residents
    where house_no is not null
    group by house_no
    having count(distinct grid_code) = 1
),

by_address as (
    select
        'address' as located_by,
        address as location_value,
        min(grid_code) as grid_code,
        min(village_code) as village_code,
        case when count(distinct house_no) = 1 then min(house_no) end as house_no
    from residents
    where address is not null
    group by address
    having count(distinct grid_code) = 1
),

by_building as (
    select
        'building' as located_by,
        {{ address_building('address') }} as location_value,
        min(grid_code) as grid_code,
        min(village_code) as village_code,
        cast(null as {{ text }}) as house_no
    from residents
    where address is not null
    group by {{ address_building('address') }}
    having count(distinct grid_code) = 1
),

single_grid_villages as (
    select
        'single_grid_village' as located_by,
        village_code as location_value,
        min(grid_code) as grid_code,
        village_code,
        cast(null as {{ text }}) as house_no
    from {{ ref('grids') }}
    where village_code is not null
    group by village_code
    having count(*) = 1
)

select located_by, location_value, grid_code, village_code, house_no from by_house_no
union all
select located_by, location_value, grid_code, village_code, house_no from by_address
union all
select located_by, location_value, grid_code, village_code, house_no from by_building
union all
select located_by, location_value, grid_code, village_code, house_no from single_grid_villages
