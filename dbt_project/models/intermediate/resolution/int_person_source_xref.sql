-- Which source record is which person: every person mention resolved to a natural person, by its own valid ID
-- number (deterministic_id), by probabilistic linkage (probabilistic) or by a steward's review (clerical), with the
-- match probability.

select
    {{ pseudonym_key('person', 'resolved_id_number') }} as person_key,
    source_id,
    entity,
    record_id,
    role,
    match_method,
    match_probability,
    observed_at,
    _delivery_id
from {{ ref('int_person_mentions_resolved') }}
where resolved_id_number is not null
