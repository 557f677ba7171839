-- Which source record is which legal person: every organisation mention resolved to a valid credit code, by the
-- code itself (deterministic_uscc), by a broken code's first 17 characters (code_prefix) or by its name (name).

select
    {{ pseudonym_key('org', 'resolved_uscc') }} as org_key,
    source_id,
    entity,
    record_id,
    role,
    match_method,
    match_probability,
    observed_at,
    _delivery_id
from {{ ref('int_org_mentions_resolved') }}
where resolved_uscc is not null
