-- Person mentions whose ID number is missing or invalid and that neither probabilistic linkage nor the review
-- queue could place: kept aside with the reason, never dropped, for correction at the source.

select
    source_id,
    entity,
    record_id,
    role,
    name,
    id_number_raw,
    id_number_reason,
    _delivery_id
from {{ ref('int_person_mentions_resolved') }}
where resolved_id_number is null
    and review_candidate_id_number is null
