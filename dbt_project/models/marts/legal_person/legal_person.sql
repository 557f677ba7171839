-- One row per legal person: every distinct valid unified social credit code among the organisation
-- mentions. The market registry's latest extract describes a registered entity; other systems only
-- add names for codes it does not (yet) hold.

with

mentions as (
    select
        mentions.source_id,
        mentions.uscc,
        mentions.name,
        mentions.entity_type,
        mentions.village_code,
        mentions.address,
        mentions.observed_at,
        row_number() over (
            partition by mentions.uscc
            -- the enterprise register first
            order by
                case when enterprise_register.source_id is not null then 1 else 2 end,
                mentions.observed_at desc,
                mentions.entity,
                mentions.record_id
        ) as mention_rank
    from {{ ref('int_org_mentions') }} as mentions
    left join {{ ref('int_mention_registers') }} as enterprise_register
        on {{ in_register('enterprise_register', 'mentions', 'organisation', 'enterprise') }}
    where mentions.uscc is not null
),

survived as (
    select
        uscc,
        min_by(name, case when name is not null then mention_rank end) as name,
        min_by(entity_type, case when entity_type is not null then mention_rank end) as entity_type,
        min_by(village_code, case when village_code is not null then mention_rank end) as village_code,
        min_by(address, case when address is not null then mention_rank end) as address
    from mentions
    group by uscc
),

registered as (
    select
        record_id,
        uscc,
        legal_rep_name,
        legal_rep_id_number,
        established_on,
        registered_capital,
        status,
        row_number() over (partition by uscc order by _line desc) as registration_rank
    from {{ ref('stg_market_registry__enterprises') }}
    where uscc is not null
),

-- the representative as a natural person: by the ID number as registered, or, where that number is missing or
-- broken, by the probabilistic link entity resolution made for the registry's legal_rep mention
representatives as (
    select mentions.record_id, mentions.resolved_id_number, mentions.match_method
    from {{ ref('int_person_mentions_resolved') }} as mentions
    inner join {{ ref('int_mention_registers') }} as enterprise_register
        on {{ in_register('enterprise_register', 'mentions', 'person', 'enterprise') }}
    where mentions.role = 'legal_rep'
),

final as (
    select
        {{ pseudonym_key('org', 'survived.uscc') }} as org_key,
        survived.uscc,
        survived.name,
        survived.entity_type,
        -- 个体工商户 by type, or by code: registration authority 9 (market regulation), type 2
        coalesce(survived.entity_type like '%个体%', false) or survived.uscc like '92%' as is_sole_trader,
        {{ pseudonym_key('person', 'representatives.resolved_id_number') }} as legal_rep_person_key,
        representatives.match_method as legal_rep_match_method,
        registered.legal_rep_name,
        registered.established_on,
        registered.registered_capital,
        survived.address,
        survived.village_code,
        registered.status,
        registered.uscc is not null as in_market_registry
    from survived
    left join registered
        on survived.uscc = registered.uscc
        and registered.registration_rank = 1
    left join representatives
        on representatives.record_id = registered.record_id
)

select
    org_key,
    uscc,
    name,
    entity_type,
    is_sole_trader,
    legal_rep_person_key,
    legal_rep_match_method,
    legal_rep_name,
    established_on,
    registered_capital,
    address,
    village_code,
    status,
    in_market_registry
from final
