-- 双公示: the administrative licences and penalties of enterprises while their publication window lasts
-- (credit_record holds only records inside the windows of the seed credit_publication_rules). Sole traders'
-- records are left out: their code and name are personal data.

select
    record.record_key,
    record.record_no,
    legal_person.uscc,
    legal_person.name as enterprise_name,
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
    and public_types.list_kind = '双公示'
    and not legal_person.is_sole_trader
