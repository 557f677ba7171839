-- One row per credit record (许可、处罚、守信激励、失信惩戒 …) that is published today, with its subject as a
-- pseudonymous key: records past their publication period or repaired (credit_record_status) are withdrawn.

select
    record_key,
    record_no,
    subject_type,
    subject_key,
    record_type,
    title,
    decided_on,
    authority,
    source_id,
    published_from,
    published_until
from {{ ref('credit_record_status') }}
where is_published
