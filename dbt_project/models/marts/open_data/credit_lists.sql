-- The red, black and watch lists of enterprises as published today (credit_record keeps only what is inside its
-- publication window); the shared query, sole traders left out, is int_public_credit_records.

select
    record_key,
    uscc,
    enterprise_name,
    list_kind,
    record_type,
    title,
    decided_on,
    authority,
    published_from,
    published_until
from {{ ref('int_public_credit_records') }}
where list_kind <> '双公示'
