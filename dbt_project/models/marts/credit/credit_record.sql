-- One row per credit record (许可、处罚、守信激励、失信惩戒 …) with its subject as a pseudonymous key.

with

records as (
    select
        'onewindow' as source_id,
        record_no,
        subject_type,
        subject_id,
        record_type,
        title,
        decided_on,
        authority
    from {{ ref('stg_onewindow__credit_records') }}
),

final as (
    select
        {{ surrogate_key(["source_id", "record_no"]) }} as record_key,
        record_no,
        subject_type,
        -- null when the subject's number is missing or invalid (see person_records_unresolved)
        case subject_type
            when 'person' then {{ pseudonym_key('person', 'subject_id') }}
            when 'enterprise' then {{ pseudonym_key('org', 'subject_id') }}
        end as subject_key,
        record_type,
        title,
        decided_on,
        authority,
        source_id
    from records
)

select
    record_key,
    record_no,
    subject_type,
    subject_key,
    record_type,
    title,
    decided_on,
    authority,
    source_id
from final
