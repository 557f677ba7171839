-- The red, black and watch lists of enterprises as published today (the seed credit_public_types says which record
-- type belongs to which list; credit_record keeps only what is inside its publication window). Sole traders are
-- left out: their code and name are personal data.

select
    record.record_key,
    legal_person.uscc,
    legal_person.name as enterprise_name,
    public_types.list_kind,
    record.record_type,
    record.title,
    record.decided_on,
    record.authority,
    record.published_from,
    record.published_until
from {{ ref('credit_record') }} as record
inner join {{ ref('legal_person') }} as legal_person
    on record.subject_key = legal_person.org_key
inner join {{ ref('credit_public_types') }} as public_types
    on public_types.record_type = record.record_type
where record.subject_type = 'enterprise'
    and public_types.list_kind <> '双公示'
    and not legal_person.is_sole_trader
