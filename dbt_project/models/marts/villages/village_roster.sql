-- The population roster handed back to each village (还数于村): one row per person per village
-- where the person is registered (hukou) or lives (grid). The village verifies and corrects it.

with

residences as (
    select
        mentions.id_number,
        mentions.village_code,
        mentions.household_no,
        mentions.address,
        row_number() over (
            partition by mentions.id_number, mentions.village_code
            -- the household register first
            order by
                case when household_register.source_id is not null then 1 else 2 end,
                mentions.observed_at desc,
                mentions.record_id
        ) as mention_rank
    from {{ ref('int_person_mentions') }} as mentions
    left join {{ ref('int_mention_registers') }} as household_register
        on {{ in_register('household_register', 'mentions', 'person', 'household') }}
    where mentions.role = 'resident'
        and mentions.id_number is not null
        and mentions.village_code is not null
),

per_village as (
    -- the household and address as recorded in this village, not the person's best elsewhere
    select
        id_number,
        village_code,
        min_by(household_no, case when household_no is not null then mention_rank end) as household_no,
        min_by(address, case when address is not null then mention_rank end) as address
    from residences
    group by id_number, village_code
),

final as (
    select
        people.person_key,
        per_village.village_code,
        people.name,
        people.sex,
        people.birth_date,
        people.id_number,
        people.phone,
        per_village.household_no,
        per_village.address
    from per_village
    inner join {{ ref('natural_person') }} as people
        on per_village.id_number = people.id_number
    -- a code that names no village has no committee to send the roster to
    inner join {{ ref('village') }} as villages
        on per_village.village_code = villages.village_code
)

select
    person_key,
    village_code,
    name,
    sex,
    birth_date,
    id_number,
    phone,
    household_no,
    address
from final
