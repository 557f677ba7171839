-- How far each village has verified its roster (还数于村) and what became of its corrections, and the same for the
-- whole district (scope_level 'district', scope_code the district's code). Coverage is the share of the roster's
-- residents corrected or confirmed at least once. A correction is applied once the evidence it became survives (the
-- golden attribute, the latest actual residence or the household membership's relation is its record); its days to
-- apply run from submission to the landing of the decision, i.e. to the run that applied it.

with

roster as (
    select
        village_code,
        person_key
    from {{ ref('village_roster') }}
),

corrections as (
    select
        corrections.village_code,
        corrections.roster_person_key as person_key,
        corrections.record_id,
        corrections.attribute,
        corrections.submitted_at,
        decisions.decision,
        decisions._received_at as decision_landed_at
    from {{ ref('stg_village_verification__corrections') }} as corrections
    left join {{ ref('stg_village_verification__decisions') }} as decisions
        on corrections.correction_id = decisions.correction_id
),

-- the evidence a correction became, found by the staging model's own source id and record
surviving as (
    select candidates.record_id
    from {{ ref('int_person_attribute_survivors') }} as candidates
    inner join {{ ref('stg_village_verification__corrections') }} as sent
        on candidates.source_id = sent.source_id
        and candidates.record_id = sent.record_id
    union
    select residence.record_id
    from {{ ref('person_residence') }} as residence
    inner join {{ ref('stg_village_verification__corrections') }} as sent
        on residence.source_id = sent.source_id
        and residence.record_id = sent.record_id
    where residence.is_latest
    union
    select member.record_id
    from {{ ref('household_member') }} as member
    inner join {{ ref('stg_village_verification__corrections') }} as sent
        on member.source_id = sent.source_id
        and member.record_id = sent.record_id
),

judged as (
    select
        corrections.village_code,
        corrections.record_id,
        corrections.decision,
        surviving.record_id is not null as is_applied,
        case
            when surviving.record_id is not null
                then {{ dbt.datediff('corrections.submitted_at', 'corrections.decision_landed_at', 'second') }}
                    / 86400.0
        end as days_to_apply
    from corrections
    left join surviving
        on corrections.record_id = surviving.record_id
    where corrections.attribute is not null
),

verified as (
    select
        roster.village_code,
        count(distinct roster.person_key) as verified
    from roster
    inner join corrections
        on roster.village_code = corrections.village_code
        and roster.person_key = corrections.person_key
    group by roster.village_code
),

residents as (
    select
        village_code,
        count(*) as residents
    from roster
    group by village_code
),

scopes as (
    select
        'village' as scope_level,
        code as scope_code,
        code as village_code
    from {{ ref('admin_divisions') }}
    where level = 'village'
    union all
    select
        'district' as scope_level,
        district.code as scope_code,
        villages.code as village_code
    from {{ ref('admin_divisions') }} as district
    cross join {{ ref('admin_divisions') }} as villages
    where district.level = 'district'
        and villages.level = 'village'
),

counts as (
    select
        scopes.scope_level,
        scopes.scope_code,
        cast(coalesce(sum(residents.residents), 0) as bigint) as residents,
        cast(coalesce(sum(verified.verified), 0) as bigint) as verified
    from scopes
    left join residents
        on scopes.village_code = residents.village_code
    left join verified
        on scopes.village_code = verified.village_code
    group by scopes.scope_level, scopes.scope_code
),

outcomes as (
    select
        scopes.scope_code,
        count(judged.record_id) as submitted,
        count(case when judged.decision = 'accepted' then 1 end) as accepted,
        count(case when judged.decision = 'rejected' then 1 end) as rejected,
        count(case when judged.is_applied then 1 end) as applied,
        median(judged.days_to_apply) as median_days_to_apply
    from scopes
    inner join judged
        on scopes.village_code = judged.village_code
    group by scopes.scope_code
)

select
    counts.scope_level,
    counts.scope_code,
    counts.residents,
    counts.verified,
    case when counts.residents > 0 then cast(counts.verified as double) / counts.residents end as coverage,
    coalesce(outcomes.submitted, 0) as submitted,
    coalesce(outcomes.accepted, 0) as accepted,
    coalesce(outcomes.rejected, 0) as rejected,
    coalesce(outcomes.applied, 0) as applied,
    cast(outcomes.median_days_to_apply as double) as median_days_to_apply
from counts
left join outcomes
    on counts.scope_code = outcomes.scope_code
