-- Every person mention with the person it resolved to: by its own valid ID number, by a probabilistic link
-- (resolution.person_links, decision 'linked') or by a data steward's decision on a review case ('clerical').
-- Mentions queued for review or unresolved carry a null ID.

with

mentions as (
    select
        source_id,
        entity,
        record_id,
        role,
        name,
        id_number,
        id_number_raw,
        id_number_reason,
        sex,
        birth_date,
        phone,
        village_code,
        household_no,
        address,
        house_no,
        observed_at,
        _delivery_id
    from {{ ref('int_person_mentions') }}
),

links as (
    select
        source_id,
        entity,
        record_id,
        role,
        decision,
        id_number,
        match_probability,
        second_id_number,
        second_probability
    from {{ source('resolution', 'person_links') }}
)

select
    mentions.source_id,
    mentions.entity,
    mentions.record_id,
    mentions.role,
    mentions.name,
    mentions.id_number_raw,
    mentions.id_number_reason,
    mentions.sex,
    mentions.birth_date,
    mentions.phone,
    mentions.village_code,
    mentions.household_no,
    mentions.address,
    mentions.house_no,
    mentions.observed_at,
    mentions._delivery_id,
    coalesce(mentions.id_number, case when links.decision in ('linked', 'clerical') then links.id_number end)
        as resolved_id_number,
    case
        when mentions.id_number is not null then 'deterministic_id'
        when links.decision = 'linked' then 'probabilistic'
        when links.decision = 'clerical' then 'clerical'
    end as match_method,
    case
        when mentions.id_number is not null then 1.0
        when links.decision in ('linked', 'clerical') then links.match_probability
    end as match_probability,
    case when mentions.id_number is null and links.decision = 'review' then links.id_number end
        as review_candidate_id_number,
    case when mentions.id_number is null and links.decision = 'review' then links.match_probability end
        as review_probability,
    case when mentions.id_number is null and links.decision = 'review' then links.second_id_number end
        as review_second_id_number,
    case when mentions.id_number is null and links.decision = 'review' then links.second_probability end
        as review_second_probability
from mentions
left join links
    on mentions.source_id = links.source_id
    and mentions.entity = links.entity
    and mentions.record_id = links.record_id
    and mentions.role = links.role
