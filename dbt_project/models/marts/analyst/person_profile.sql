-- Natural persons as an analyst may see them (分析用人口画像): the pseudonymous key and the few attributes a
-- department asks first — sex, birth date (the analyst policy publishes its year), village, grid, residence status
-- and household size. No name, number, phone or address is selected here, so none can reach the analyst database.

with

persons as (
    select
        person_key,
        sex,
        birth_date,
        village_code
    from {{ ref('natural_person') }}
),

members as (
    select
        person_key,
        grid_code,
        count(*) over (partition by household_no) as household_size
    from {{ ref('household_member') }}
),

residences as (
    select
        person_key,
        max(case when residence_kind = 'registered' then village_code end) as registered_village_code,
        max(case when residence_kind = 'actual' then village_code end) as actual_village_code,
        max(case when residence_kind = 'actual' then grid_code end) as actual_grid_code
    from {{ ref('person_residence') }}
    where is_latest
    group by person_key
)

select
    persons.person_key,
    persons.sex,
    persons.birth_date,
    persons.village_code,
    coalesce(residences.actual_grid_code, members.grid_code) as grid_code,
    case
        when residences.registered_village_code is null then 'non_registered'
        when residences.actual_village_code is not null
            and residences.actual_village_code <> residences.registered_village_code then 'separated'
        else 'registered'
    end as residence_status,
    members.household_size
from persons
left join members on members.person_key = persons.person_key
left join residences on residences.person_key = persons.person_key
