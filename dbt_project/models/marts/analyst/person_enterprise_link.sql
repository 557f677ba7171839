-- Who holds which role in which market entity, by pseudonymous keys only (分析用自然人法人关系): the source record's
-- number (an ID number or a sole trader's code) stays in person_enterprise_role.

select
    person_key,
    org_key,
    role,
    village_code,
    grid_code,
    source_id,
    match_method
from {{ ref('person_enterprise_role') }}
