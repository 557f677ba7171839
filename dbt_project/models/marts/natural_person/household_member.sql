-- One row per person on the household register (hukou): the household they belong to, their relation to its head,
-- and the register record, delivery and match that say so. A person on two households' registers is in the one on
-- the latest record (int_household_members), so nobody is in two households.

with

members as (
    select
        household_no,
        resolved_id_number,
        relation_to_head,
        is_head,
        registered_on,
        source_id,
        entity,
        record_id,
        match_method,
        match_probability,
        observed_at,
        _delivery_id
    from {{ ref('int_household_members') }}
    where household_rank = 1
),

final as (
    select
        {{ pseudonym_key('person', 'members.resolved_id_number') }} as person_key,
        members.household_no,
        members.relation_to_head,
        members.is_head,
        households.village_code,
        households.grid_code,
        members.registered_on,
        members.source_id,
        members.entity,
        members.record_id,
        members.match_method,
        members.match_probability,
        members.observed_at,
        members._delivery_id
    from members
    inner join {{ ref('household') }} as households
        on members.household_no = households.household_no
)

select
    person_key,
    household_no,
    relation_to_head,
    is_head,
    village_code,
    grid_code,
    registered_on,
    source_id,
    entity,
    record_id,
    match_method,
    match_probability,
    observed_at,
    _delivery_id
from final
