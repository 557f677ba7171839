-- One row per natural person: every distinct valid citizen ID number among the person mentions.
-- Survivorship: for each attribute, the first non-null value by source priority, then recency.

with

mentions as (
    select
        source_id,
        entity,
        record_id,
        role,
        name,
        id_number,
        sex,
        birth_date,
        phone,
        village_code,
        household_no,
        address,
        observed_at
    from {{ ref('int_person_mentions') }}
    where id_number is not null
),

ranked as (
    select
        mentions.*,
        row_number() over (
            partition by id_number
            order by
                case source_id
                    when 'hukou' then 1
                    when 'grid' then 2
                    when 'onewindow' then 3
                    when 'market_registry' then 4
                    when 'civil_marriage' then 5
                    else 9
                end,
                observed_at desc,
                entity,
                record_id,
                role
        ) as mention_rank
    from mentions
),

survived as (
    -- min_by(value, rank) over the mentions that carry a value: the best-ranked value wins
    select
        id_number,
        min_by(name, case when name is not null then mention_rank end) as name,
        min_by(sex, case when sex is not null then mention_rank end) as sex,
        min_by(birth_date, case when birth_date is not null then mention_rank end) as birth_date,
        min_by(phone, case when phone is not null then mention_rank end) as phone,
        min_by(household_no, case when household_no is not null then mention_rank end) as household_no,
        min_by(village_code, case when village_code is not null then mention_rank end) as village_code,
        min_by(address, case when address is not null then mention_rank end) as address,
        count(distinct source_id) as source_count,
        min(observed_at) as first_seen_at,
        max(observed_at) as last_seen_at
    from ranked
    group by id_number
),

final as (
    select
        {{ pseudonym_key('person', 'id_number') }} as person_key,
        id_number,
        name,
        coalesce(sex, {{ citizen_id_sex('id_number') }}) as sex,
        coalesce(birth_date, {{ citizen_id_birth_date('id_number') }}) as birth_date,
        phone,
        household_no,
        village_code,
        address,
        source_count,
        first_seen_at,
        last_seen_at
    from survived
)

select
    person_key,
    id_number,
    name,
    sex,
    birth_date,
    phone,
    household_no,
    village_code,
    address,
    source_count,
    first_seen_at,
    last_seen_at
from final
