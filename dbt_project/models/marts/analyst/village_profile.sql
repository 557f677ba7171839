-- One row per village unit with the figures an analyst compares villages by (村居统计): residents, households,
-- market entities with premises there, and grid events reported there.

with

residents as (
    select village_code, count(*) as residents, count(distinct household_no) as households
    from {{ ref('natural_person') }}
    group by village_code
),

entities as (
    select village_code, count(distinct org_key) as enterprises
    from {{ ref('enterprise_premises') }}
    group by village_code
),

events as (
    select village_code, count(*) as grid_events
    from {{ ref('grid_event') }}
    group by village_code
)

select
    villages.village_code,
    villages.village_name,
    villages.unit_type,
    villages.town_code,
    villages.town_name,
    coalesce(residents.residents, 0) as residents,
    coalesce(residents.households, 0) as households,
    coalesce(entities.enterprises, 0) as enterprises,
    coalesce(events.grid_events, 0) as grid_events
from {{ ref('village') }} as villages
left join residents on residents.village_code = villages.village_code
left join entities on entities.village_code = villages.village_code
left join events on events.village_code = villages.village_code
