-- 双公示: the administrative licences and penalties of enterprises while their publication window lasts
-- (credit_record holds only records inside the windows of the seed credit_publication_rules); the shared query,
-- sole traders left out, is int_public_credit_records.

select
    record_key,
    record_no,
    uscc,
    enterprise_name,
    record_type,
    title,
    decided_on,
    authority,
    published_from,
    published_until
from {{ ref('int_public_credit_records') }}
where list_kind = '双公示'
