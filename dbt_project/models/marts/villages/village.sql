-- One row per village-level unit (村委会、居委会) with the town (镇街) it belongs to.

with

divisions as (
    select
        code,
        name,
        level,
        parent_code,
        unit_type
    from {{ ref('admin_divisions') }}
),

final as (
    select
        villages.code as village_code,
        villages.name as village_name,
        villages.unit_type,
        towns.code as town_code,
        towns.name as town_name
    from divisions as villages
    inner join divisions as towns
        on villages.parent_code = towns.code
        and towns.level = 'town'
    where villages.level = 'village'
)

select
    village_code,
    village_name,
    unit_type,
    town_code,
    town_name
from final
