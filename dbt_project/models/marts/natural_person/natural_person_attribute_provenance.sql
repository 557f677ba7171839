-- Where every golden-record attribute came from: the surviving value of each attribute of each natural person,
-- with the source record and the delivery that carried it (follow _delivery_id into raw.<source>__<entity>).

select
    {{ pseudonym_key('person', 'resolved_id_number') }} as person_key,
    attribute,
    value,
    source_id,
    entity,
    record_id,
    role,
    match_method,
    source_priority,
    observed_at,
    _delivery_id
from {{ ref('int_person_attribute_survivors') }}
