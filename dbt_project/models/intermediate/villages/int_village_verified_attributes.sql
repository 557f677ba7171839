-- Survivorship evidence from the villages (还数于村): every correction a cadre sent that the department owning the
-- attribute accepted, on the person its roster row named, with its provenance (village, cadre, when submitted, the
-- approving department and reviewer, when decided). A correction is observed when it was decided: the department
-- vouched for the value then, and a later record of any source is newer evidence. The roster names people by their
-- person key; the person is found among the resolved mentions under the same key.

with

accepted as (
    select
        corrections.source_id,
        corrections.entity,
        corrections.record_id,
        corrections.correction_id,
        corrections.village_code,
        corrections.roster_person_key,
        corrections.attribute,
        corrections.old_value,
        corrections.new_value,
        corrections.cadre,
        corrections.submitted_at,
        decisions.department as approving_department,
        decisions.reviewer,
        decisions.decided_at,
        decisions._delivery_id
    from {{ ref('stg_village_verification__corrections') }} as corrections
    inner join {{ ref('stg_village_verification__decisions') }} as decisions
        on corrections.correction_id = decisions.correction_id
    where decisions.decision = 'accepted'
        and corrections.attribute is not null
        and corrections.new_value is not null
),

people as (
    select distinct
        {{ pseudonym_key('person', 'resolved_id_number') }} as person_key,
        resolved_id_number
    from {{ ref('int_person_mentions_resolved') }}
    where resolved_id_number is not null
)

select
    people.resolved_id_number,
    accepted.roster_person_key as person_key,
    accepted.attribute,
    accepted.new_value as value,
    accepted.old_value,
    accepted.source_id,
    accepted.entity,
    accepted.record_id,
    accepted.source_id as role,
    'person_key' as match_method,
    accepted.decided_at as observed_at,
    accepted._delivery_id,
    accepted.village_code,
    accepted.cadre,
    accepted.submitted_at,
    accepted.approving_department,
    accepted.reviewer,
    accepted.decided_at
from accepted
inner join people
    on accepted.roster_person_key = people.person_key
