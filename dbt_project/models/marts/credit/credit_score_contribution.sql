-- Why a subject has its credit score: one row per rule that contributed (the base points, then one row per
-- published, unrepaired record a rule in seed credit_score_rules matched), with the points it added. The
-- points of a subject sum to its score in credit_profile.

with

rules as (
    select rule_code, subject_type, record_type, points, description
    from {{ ref('credit_score_rules') }}
),

records as (
    select record_key, subject_type, subject_key, record_type
    from {{ ref('credit_record_status') }}
    where is_published and not is_repaired and subject_key is not null
),

subjects as (
    select distinct subject_type, subject_key
    from {{ ref('credit_record_status') }}
    where subject_key is not null
),

base as (
    select
        subjects.subject_type,
        subjects.subject_key,
        rules.rule_code,
        rules.description as rule_description,
        cast(null as {{ dbt.type_string() }}) as record_key,
        rules.points
    from subjects
    inner join rules
        on rules.subject_type = subjects.subject_type
        and rules.record_type is null
),

per_record as (
    select
        records.subject_type,
        records.subject_key,
        rules.rule_code,
        rules.description as rule_description,
        records.record_key,
        rules.points
    from records
    inner join rules
        on rules.record_type = records.record_type
        and (rules.subject_type is null or rules.subject_type = records.subject_type)
),

unioned as (
    select * from base
    union all
    select * from per_record
)

select
    {{ surrogate_key(["subject_type", "subject_key", "rule_code", "coalesce(record_key, '')"]) }} as contribution_key,
    subject_type,
    subject_key,
    rule_code,
    rule_description,
    record_key,
    cast(points as integer) as points
from unioned
