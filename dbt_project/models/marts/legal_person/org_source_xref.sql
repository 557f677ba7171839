-- Which source record is which legal person (built in intermediate/resolution/int_org_source_xref.sql, which the
-- intermediate models that need a mention's legal person read too).

select
    org_key,
    source_id,
    entity,
    record_id,
    role,
    match_method,
    match_probability,
    observed_at,
    _delivery_id
from {{ ref('int_org_source_xref') }}
