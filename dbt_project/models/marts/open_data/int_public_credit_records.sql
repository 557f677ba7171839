-- The public credit records of enterprises as published today, with the list each belongs to (seed
-- credit_public_types): 双公示 licences and penalties, and the red, black and watch lists. credit_publicity and
-- credit_lists are this query with one filter each. Sole traders are left out: their code and name are personal data.
-- Ephemeral and kept beside the open marts because it reads two marts (credit_record, legal_person), which the
-- intermediate layer may not: it is inlined into both and is no table, no dataset and no asset of its own.

{{ config(materialized='ephemeral', contract={'enforced': false}) }}

select
    record.record_key,
    record.record_no,
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
    and not legal_person.is_sole_trader
