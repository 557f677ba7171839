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
        source_id,
        entity,
        record_id,
        role,
        match_probability,
        observed_at,
        _delivery_id
    from {{ ref('int_person_mentions_resolved') }}
    where source_id = 'market_registry' and entity = 'enterprises' and role = 'legal_rep'
),

premises as (
    select
        org_key,
        village_code,
        grid_code,
        row_number() over (
            partition by org_key
            order by case source_id when 'market_registry' then 0 else 1 end, observed_at desc, record_id
        ) as premises_rank
    from {{ ref('enterprise_premises') }}
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
