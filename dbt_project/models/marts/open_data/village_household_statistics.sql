-- Households per village by size (members registered in the household); publish suppresses small cells.

with households as (
    select
        village_code,
        household_no,
        count(*) as members
    from {{ ref('household_member') }}
    where village_code is not null
    group by village_code, household_no
)

select
    village_code,
    count(*) as households,
    cast(sum(members) as bigint) as members,
    count(case when members = 1 then 1 end) as households_1,
    count(case when members = 2 then 1 end) as households_2,
    count(case when members = 3 then 1 end) as households_3,
    count(case when members = 4 then 1 end) as households_4,
    count(case when members >= 5 then 1 end) as households_5_plus
from households
group by village_code
