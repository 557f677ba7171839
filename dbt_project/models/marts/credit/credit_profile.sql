-- One row per credit subject (natural or legal person with at least one credit record): its score, the sum of
-- credit_score_contribution, a grade and its counts of published records.

with

contributions as (
    select subject_type, subject_key, rule_code, record_key, points
    from {{ ref('credit_score_contribution') }}
),

records as (
    select
        status.subject_type,
        status.subject_key,
        status.is_published,
        status.is_repaired,
        blacklist_types.record_type is not null as is_blacklist
    from {{ ref('credit_record_status') }} as status
    left join {{ ref('credit_blacklist_types') }} as blacklist_types
        on blacklist_types.record_type = status.record_type
    where status.subject_key is not null
),

grades as (
    select grade, min_score
    from {{ ref('credit_grades') }}
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
        count(case when is_published and is_blacklist then 1 end) as blacklist_count
    from records
    group by subject_type, subject_key
)

select
    scores.subject_type,
    scores.subject_key,
    scores.score,
    -- the best grade whose floor the score reaches; the grade without a floor takes the rest
    (
        select grades.grade
        from grades
        where scores.score >= coalesce(grades.min_score, scores.score)
        order by grades.min_score desc nulls last
        limit 1
    ) as grade,
    scores.scored_record_count,
    counts.published_record_count,
    counts.repaired_record_count,
    counts.blacklist_count
from scores
inner join counts
    on counts.subject_type = scores.subject_type
    and counts.subject_key = scores.subject_key
