-- Person mentions whose ID number is missing or invalid: kept aside with the reason, never dropped.
-- They are the input of probabilistic linkage and of corrections sent back to the source.

select
    source_id,
    entity,
    record_id,
    role,
    name,
    id_number_raw,
    id_number_reason,
    _delivery_id
from {{ ref('int_person_mentions') }}
where id_number is null
