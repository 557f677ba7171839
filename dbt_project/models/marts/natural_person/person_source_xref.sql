-- Which source record is which person: every mention with a valid ID number and its person key.

select
    {{ pseudonym_key('person', 'id_number') }} as person_key,
    source_id,
    entity,
    record_id,
    role,
    'deterministic_id' as match_method,
    observed_at,
    _delivery_id
from {{ ref('int_person_mentions') }}
where id_number is not null
