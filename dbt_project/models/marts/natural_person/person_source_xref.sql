-- Which source record is which natural person (built in intermediate/resolution/int_person_source_xref.sql, which the
-- intermediate models that need a mention's natural person read too).

select
    person_key,
    source_id,
    entity,
    record_id,
    role,
    match_method,
    match_probability,
    observed_at,
    _delivery_id
from {{ ref('int_person_source_xref') }}
