-- One row per credit subject (natural or legal person with at least one credit record): its score, the sum of
-- credit_score_contribution, a grade and its counts of published records.

with

contributions as (
    select subject_type, subject_key, rule_code, record_key, points
    from {{ ref('credit_score_contribution') }}
),

records as (
    select subject_type, subject_key, record_type, is_published, is_repaired
    from {{ ref('credit_record_status') }}
    where subject_key is not null
),

scores as (
    select
        subject_type,
        subject_key,
        cast(sum(points) as integer) as score,
        count(record_key) as scored_record_count
    from contributions
    group by subject_type, subject_key
),

counts as (
    select
        subject_type,
        subject_key,
        count(case when is_published then 1 end) as published_record_count,
        count(case when is_repaired then 1 end) as repaired_record_count,
        count(case when is_published and record_type in ('失信黑名单', '限制高消费') then 1 end) as blacklist_count
    from records
    group by subject_type, subject_key
)

select
    scores.subject_type,
    scores.subject_key,
    scores.score,
    case
        when scores.score >= 105 then 'A'
        when scores.score >= 90 then 'B'
        when scores.score >= 70 then 'C'
        else 'D'
    end as grade,
    scores.scored_record_count,
    counts.published_record_count,
    counts.repaired_record_count,
    counts.blacklist_count
from scores
inner join counts
    on counts.subject_type = scores.subject_type
    and counts.subject_key = scores.subject_key
