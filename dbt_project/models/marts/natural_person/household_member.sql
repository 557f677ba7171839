-- One row per person on the household register (hukou): the household they belong to, their relation to its head,
-- and the register record, delivery and match that say so. A person on two households' registers is in the one on
-- the latest record (int_household_members), so nobody is in two households. Where a village's correction of the
-- relation was accepted, the relation is the correction's and so are the source, record, match, time and delivery.

with

members as (
    select
        household_no,
        resolved_id_number,
        relation_to_head,
        is_head,
        registered_on,
        coalesce(relation_source_id, source_id) as source_id,
        coalesce(relation_entity, entity) as entity,
        coalesce(relation_record_id, record_id) as record_id,
        coalesce(relation_match_method, match_method) as match_method,
        case when relation_record_id is not null then 1.0 else match_probability end as match_probability,
        coalesce(relation_observed_at, observed_at) as observed_at,
        coalesce(relation_delivery_id, _delivery_id) as _delivery_id
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
