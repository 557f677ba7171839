-- Every credit record the platform holds (int_credit_records_unioned: every registry entity with a `credit:`
-- block), each with its subject keyed as a natural or legal person: by the subject's own ID when the source names
-- it (keyed_by_id), else by the person or organisation entity resolution found for the record's `subject` mention.

with

records as (
    select
        source_id,
        entity,
        record_id,
        record_no,
        subject_type,
        subject_id,
        keyed_by_id,
        record_type,
        title,
        decided_on,
        authority
    from {{ ref('int_credit_records_unioned') }}
),

person_xref as (
    select source_id, entity, record_id, person_key
    from {{ ref('int_person_source_xref') }}
    where role = 'subject'
),

org_xref as (
    select source_id, entity, record_id, org_key
    from {{ ref('int_org_source_xref') }}
    where role = 'subject'
),

keyed as (
    select
        records.source_id,
        records.record_no,
        records.subject_type,
        case
            when records.keyed_by_id then
                case records.subject_type
                    when 'person' then {{ pseudonym_key('person', 'records.subject_id') }}
                    when 'enterprise' then {{ pseudonym_key('org', 'records.subject_id') }}
                end
            when records.subject_type = 'person' then person_xref.person_key
            when records.subject_type = 'enterprise' then org_xref.org_key
        end as subject_key,
        records.record_type,
        records.title,
        records.decided_on,
        records.authority
    from records
    -- equality only: a condition on one side in a left join's ON makes DuckDB join every record with every xref row
    -- (a nested loop); the case above picks the subject's own key or the xref of its type (one per record and role)
    left join person_xref
        on person_xref.source_id = records.source_id
        and person_xref.entity = records.entity
        and person_xref.record_id = records.record_id
    left join org_xref
        on org_xref.source_id = records.source_id
        and org_xref.entity = records.entity
        and org_xref.record_id = records.record_id
)

select
    {{ surrogate_key(["source_id", "record_no"]) }} as record_key,
    record_no,
    subject_type,
    subject_key,
    record_type,
    title,
    decided_on,
    authority,
    source_id
from keyed
