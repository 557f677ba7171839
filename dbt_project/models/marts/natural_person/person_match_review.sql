-- Person mentions without a valid ID whose best candidate is plausible but not certain enough to link:
-- a steward decides. Never guessed into natural_person.

select
    source_id,
    entity,
    record_id,
    role,
    name,
    id_number_raw,
    id_number_reason,
    {{ pseudonym_key('person', 'review_candidate_id_number') }} as candidate_person_key,
    review_probability as match_probability,
    {{ pseudonym_key('person', 'review_second_id_number') }} as second_candidate_person_key,
    review_second_probability as second_match_probability,
    observed_at,
    _delivery_id
from {{ ref('int_person_mentions_resolved') }}
where review_candidate_id_number is not null
