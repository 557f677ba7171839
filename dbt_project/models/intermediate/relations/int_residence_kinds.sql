-- Which sources and roles speak of a person's residence, and of which kind: the delivered sources' rules (seed
-- residence_sources) and the evidence entities whose registry entry gives their addresses a residence kind
-- (int_evidence_sources; their rows' role is their source id, as int_village_verified_attributes writes it).

select
    source_id,
    role,
    residence_kind
from {{ ref('residence_sources') }}

union all

select
    source_id,
    source_id as role,
    residence_kind
from {{ ref('int_evidence_sources') }}
where residence_kind is not null
