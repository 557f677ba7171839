-- Population of each village by sex and age band as of the run's date (macro as_of_date: ZHONGTAI_AS_OF when set, else
-- the day of the build, so that a run that crosses midnight dates every mart alike): an aggregate for open data.
-- Small cells are suppressed when published (settings.roster_min_cell), not here.

{%- set as_of = as_of_date() %}

with

ages as (
    select
        village_code,
        sex,
        extract(year from {{ as_of }}) - extract(year from birth_date)
            - case
                when extract(month from {{ as_of }}) * 100 + extract(day from {{ as_of }})
                    < extract(month from birth_date) * 100 + extract(day from birth_date)
                then 1 else 0
            end as age
    from {{ ref('village_roster') }}
),

final as (
    select
        villages.village_code,
        count(ages.village_code) as residents,
        count(case when ages.sex = 'M' then 1 end) as male,
        count(case when ages.sex = 'F' then 1 end) as female,
        count(case when ages.age between 0 and 17 then 1 end) as age_0_17,
        count(case when ages.age between 18 and 59 then 1 end) as age_18_59,
        count(case when ages.age between 60 and 79 then 1 end) as age_60_79,
        count(case when ages.age >= 80 then 1 end) as age_80_plus,
        {{ as_of }} as as_of
    from {{ ref('village') }} as villages
    left join ages on villages.village_code = ages.village_code
    group by villages.village_code
)

select
    village_code,
    cast(residents as bigint) as residents,
    cast(male as bigint) as male,
    cast(female as bigint) as female,
    cast(age_0_17 as bigint) as age_0_17,
    cast(age_18_59 as bigint) as age_18_59,
    cast(age_60_79 as bigint) as age_60_79,
    cast(age_80_plus as bigint) as age_80_plus,
    as_of
from final
