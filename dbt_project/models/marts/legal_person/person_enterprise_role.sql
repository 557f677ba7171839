-- Person ↔ enterprise: who holds which role in which legal person. Today the one role a source gives with an ID
-- number: the legal representative as the market registry records it (legal_person.legal_rep_person_key; a sole
-- trader's is its operator, 经营者), with how the representative was matched to a natural person and the
-- registry record and delivery that say so. The village and grid are the enterprise's registered premises.

with

enterprises as (
    select
        org_key,
        uscc,
        is_sole_trader,
        legal_rep_person_key,
        legal_rep_match_method,
        village_code
    from {{ ref('legal_person') }}
    where legal_rep_person_key is not null
),

-- the registration legal_person took its representative from
registrations as (
    select
        record_id,
        uscc,
        row_number() over (partition by uscc order by _line desc) as registration_rank
    from {{ ref('stg_market_registry__enterprises') }}
    where uscc is not null
),

representatives as (
    select
        mentions.source_id,
        mentions.entity,
        mentions.record_id,
        mentions.role,
        mentions.match_probability,
        mentions.observed_at,
        mentions._delivery_id
    from {{ ref('int_person_mentions_resolved') }} as mentions
    inner join {{ ref('int_mention_registers') }} as enterprise_register
        on {{ in_register('enterprise_register', 'mentions', 'person', 'enterprise') }}
    where mentions.role = 'legal_rep'
),

premises as (
    select
        premises.org_key,
        premises.village_code,
        premises.grid_code,
        row_number() over (
            partition by premises.org_key
            -- the enterprise register's premises first
            order by
                case when enterprise_register.source_id is not null then 0 else 1 end,
                premises.observed_at desc,
                premises.record_id
        ) as premises_rank
    from {{ ref('enterprise_premises') }} as premises
    left join {{ ref('int_mention_registers') }} as enterprise_register
        on {{ in_register('enterprise_register', 'premises', 'organisation', 'enterprise') }}
),

villages as (
    select village_code
    from {{ ref('village') }}
),

final as (
    select
        enterprises.legal_rep_person_key as person_key,
        enterprises.org_key,
        case when enterprises.is_sole_trader then 'operator' else 'legal_representative' end as role,
        enterprises.legal_rep_match_method as match_method,
        representatives.match_probability,
        coalesce(premises.village_code, villages.village_code) as village_code,
        case when premises.village_code is not null then premises.grid_code end as grid_code,
        representatives.source_id,
        representatives.entity,
        representatives.record_id,
        representatives.observed_at,
        representatives._delivery_id
    from enterprises
    inner join registrations
        on enterprises.uscc = registrations.uscc
        and registrations.registration_rank = 1
    inner join representatives
        on registrations.record_id = representatives.record_id
    left join premises
        on enterprises.org_key = premises.org_key
        and premises.premises_rank = 1
    left join villages
        on enterprises.village_code = villages.village_code
)

select
    person_key,
    org_key,
    role,
    match_method,
    match_probability,
    village_code,
    grid_code,
    source_id,
    entity,
    record_id,
    observed_at,
    _delivery_id
from final
