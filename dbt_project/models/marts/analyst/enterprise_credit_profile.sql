-- Credit profiles of market entities (法人信用画像) with the entity's kind, village and status; persons' profiles
-- stay in credit_profile. Sole traders are left out: their profile is a person's.

select
    profiles.subject_key as org_key,
    entities.entity_type,
    entities.village_code,
    entities.status,
    profiles.score,
    profiles.grade,
    profiles.scored_record_count,
    profiles.published_record_count,
    profiles.repaired_record_count,
    profiles.blacklist_count
from {{ ref('credit_profile') }} as profiles
inner join {{ ref('legal_person') }} as entities on entities.org_key = profiles.subject_key
where profiles.subject_type = 'enterprise' and not entities.is_sole_trader
