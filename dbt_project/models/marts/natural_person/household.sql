-- One row per household (户) on the household register (hukou): its village and registered address, the grid and
-- house where the grid platform has recorded that address, how many people it has, and its head where the
-- register names one. Members are in household_member.

{%- set text = dbt.type_string() %}

with

members as (
    select
        household_no,
        resolved_id_number,
        is_head,
        village_code,
        address,
        source_id,
        observed_at,
        _delivery_id,
        household_rank,
        -- the head's record describes the household best, then one whose person is known and counted here,
        -- then the latest
        row_number() over (
            partition by household_no
            order by
                case when is_head then 0 else 1 end,
                case when household_rank = 1 then 0 else 1 end,
                observed_at desc,
                record_id
        ) as record_rank
    from {{ ref('int_household_members') }}
),

households as (
    select
        household_no,
        min_by(village_code, case when village_code is not null then record_rank end) as village_code,
        min_by(address, case when address is not null then record_rank end) as address,
        count(distinct case when household_rank = 1 then resolved_id_number end) as member_count,
        count(case when resolved_id_number is null then 1 end) as unresolved_member_count,
        min_by(resolved_id_number, case when is_head and household_rank = 1 then record_rank end) as head_id_number,
        min_by(source_id, record_rank) as source_id,
        max(observed_at) as observed_at,
        min_by(_delivery_id, record_rank) as _delivery_id
    from members
    group by household_no
),

to_locate as (
    select
        household_no,
        cast(null as {{ text }}) as house_no,
        address,
        village_code,
        cast(null as {{ text }}) as grid_code,
        member_count,
        unresolved_member_count,
        head_id_number,
        source_id,
        observed_at,
        _delivery_id
    from households
),

located as (
    {{ locate_in_grid('to_locate') }}
),

final as (
    select
        household_no,
        located_village_code as village_code,
        located_grid_code as grid_code,
        located_house_no as house_no,
        located_by,
        address,
        member_count,
        unresolved_member_count,
        {{ pseudonym_key('person', 'head_id_number') }} as head_person_key,
        source_id,
        observed_at,
        _delivery_id
    from located
)

select
    household_no,
    village_code,
    grid_code,
    house_no,
    located_by,
    address,
    member_count,
    unresolved_member_count,
    head_person_key,
    source_id,
    observed_at,
    _delivery_id
from final
