-- One row per natural person: every distinct valid citizen ID number among the resolved person mentions.
-- Survivorship per attribute is data (seed person_attribute_priority, applied in int_person_attribute_survivors);
-- each surviving value's source, delivery and time are in natural_person_attribute_provenance.

with

resolved as (
    select
        resolved_id_number,
        source_id,
        observed_at
    from {{ ref('int_person_mentions_resolved') }}
    where resolved_id_number is not null
),

persons as (
    select
        resolved_id_number as id_number,
        count(distinct source_id) as source_count,
        min(observed_at) as first_seen_at,
        max(observed_at) as last_seen_at
    from resolved
    group by resolved_id_number
),

survivors as (
    select
        resolved_id_number as id_number,
        max(case when attribute = 'name' then value end) as name,
        max(case when attribute = 'sex' then value end) as sex,
        max(case when attribute = 'birth_date' then value end) as birth_date,
        max(case when attribute = 'phone' then value end) as phone,
        max(case when attribute = 'household_no' then value end) as household_no,
        max(case when attribute = 'village_code' then value end) as village_code,
        max(case when attribute = 'address' then value end) as address
    from {{ ref('int_person_attribute_survivors') }}
    group by resolved_id_number
),

final as (
    select
        {{ pseudonym_key('person', 'persons.id_number') }} as person_key,
        persons.id_number,
        survivors.name,
        coalesce(survivors.sex, {{ citizen_id_sex('persons.id_number') }}) as sex,
        coalesce(cast(survivors.birth_date as date), {{ citizen_id_birth_date('persons.id_number') }}) as birth_date,
        survivors.phone,
        survivors.household_no,
        survivors.village_code,
        survivors.address,
        persons.source_count,
        persons.first_seen_at,
        persons.last_seen_at
    from persons
    left join survivors on persons.id_number = survivors.id_number
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
