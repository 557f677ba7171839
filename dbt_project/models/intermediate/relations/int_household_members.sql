-- Every household register (hukou) record: its household, the member's relation to the head, and the person the
-- record resolved to (by its ID number or by a probabilistic link; null when neither). A person on two households'
-- registers counts in one of them only: the one on the latest record (household_rank 1). A relation to the head that a
-- village corrected and the household register's department accepted (int_village_verified_attributes, the latest
-- per person) replaces the register's on the person's records; the correction's source, record, time and delivery
-- are kept beside it (relation_*), as its provenance.

with

registers as (
    select
        record_id,
        household_no,
        relation_to_head,
        village_code,
        address,
        registered_on
    from {{ ref('stg_hukou__residents') }}
    where household_no is not null
),

mentions as (
    select
        mentions.source_id,
        mentions.entity,
        mentions.record_id,
        mentions.resolved_id_number,
        mentions.match_method,
        mentions.match_probability,
        mentions.observed_at,
        mentions._delivery_id
    from {{ ref('int_person_mentions_resolved') }} as mentions
    inner join {{ ref('int_mention_registers') }} as household_register
        on {{ in_register('household_register', 'mentions', 'person', 'household') }}
),

corrected as (
    select
        resolved_id_number,
        value as relation_to_head,
        source_id,
        entity,
        record_id,
        match_method,
        observed_at,
        _delivery_id,
        row_number() over (
            partition by resolved_id_number
            order by observed_at desc, record_id desc
        ) as correction_rank
    from {{ ref('int_village_verified_attributes') }}
    where attribute = 'relation_to_head'
),

villages as (
    select code as village_code
    from {{ ref('admin_divisions') }}
    where level = 'village'
),

joined as (
    select
        registers.household_no,
        mentions.resolved_id_number,
        coalesce(corrected.relation_to_head, registers.relation_to_head) as relation_to_head,
        coalesce(coalesce(corrected.relation_to_head, registers.relation_to_head) = '户主', false) as is_head,
        -- a code that names no village places nothing
        villages.village_code,
        registers.address,
        registers.registered_on,
        mentions.source_id,
        mentions.entity,
        registers.record_id,
        mentions.match_method,
        mentions.match_probability,
        mentions.observed_at,
        mentions._delivery_id,
        corrected.source_id as relation_source_id,
        corrected.entity as relation_entity,
        corrected.record_id as relation_record_id,
        corrected.match_method as relation_match_method,
        corrected.observed_at as relation_observed_at,
        corrected._delivery_id as relation_delivery_id
    from registers
    inner join mentions
        on registers.record_id = mentions.record_id
    left join corrected
        on mentions.resolved_id_number = corrected.resolved_id_number
        and corrected.correction_rank = 1
    left join villages
        on registers.village_code = villages.village_code
)

select
    household_no,
    resolved_id_number,
    relation_to_head,
    is_head,
    village_code,
    address,
    registered_on,
    source_id,
    entity,
    record_id,
    match_method,
    match_probability,
    observed_at,
    _delivery_id,
    relation_source_id,
    relation_entity,
    relation_record_id,
    relation_match_method,
    relation_observed_at,
    relation_delivery_id,
    case when resolved_id_number is not null then
        row_number() over (
            partition by resolved_id_number
            order by
                observed_at desc,
                registered_on desc nulls last,
                case when match_method = 'deterministic_id' then 0 else 1 end,
                household_no,
                record_id
        )
    end as household_rank
from joined
