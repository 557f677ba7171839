-- Every credit record with its publication window and repair: a record is published from its decision until the
-- longest publication period of its type (seed credit_publication_rules) or until an approved repair ends it.
-- Repairs come from the credit office's register (int_credit_repair_reviews): an approval takes effect on the day
-- it was given, but never before the shortest publication period ends; a rejection or a pending review changes
-- nothing but the repair state the steward sees.

{%- set as_of = as_of_date() %}

with

records as (
    select record_key, record_no, subject_type, subject_key, record_type, title, decided_on, authority, source_id
    from {{ ref('int_credit_records') }}
),

publication_rules as (
    select record_type, min_publish_months, max_publish_months
    from {{ ref('credit_publication_rules') }}
),

repairs as (
    select source_id, record_no, application_no, applied_on, review_result, reviewed_on, review_office, application_count
    from {{ ref('int_credit_repair_reviews') }}
),

windows as (
    select
        records.*,
        records.decided_on as published_from,
        case when publication_rules.max_publish_months is not null
            then cast({{ dbt.dateadd('month', 'publication_rules.max_publish_months', 'records.decided_on') }} as date)
        end as published_until_by_rule,
        cast({{ dbt.dateadd('month', 'coalesce(publication_rules.min_publish_months, 0)', 'records.decided_on') }} as date)
            as repairable_from,
        repairs.application_no as repair_application_no,
        repairs.application_count as repair_application_count,
        repairs.applied_on as repair_applied_on,
        repairs.review_result as repair_review_result,
        repairs.reviewed_on as repair_reviewed_on,
        repairs.review_office as repair_review_office,
        case when repairs.review_result = 'approved' then repairs.reviewed_on end as repair_approved_on
    from records
    left join publication_rules
        on publication_rules.record_type = records.record_type
    left join repairs
        on repairs.source_id = records.source_id
        and repairs.record_no = records.record_no
),

effective as (
    select
        windows.*,
        -- a repair approved before the shortest publication period ends takes effect when that period ends
        case when repair_approved_on is not null
            then greatest(repair_approved_on, repairable_from)
        end as repair_effective_on
    from windows
),

final as (
    select
        effective.*,
        case
            when repair_effective_on is null then published_until_by_rule
            when published_until_by_rule is not null and published_until_by_rule < repair_effective_on
                then published_until_by_rule
            else repair_effective_on
        end as published_until,
        case
            when repair_review_result is null then null
            when repair_review_result = 'pending' then 'applied'
            when repair_review_result = 'rejected' then 'rejected'
            when repair_effective_on <= {{ as_of }} then 'effective'
            else 'approved'
        end as repair_state
    from effective
)

select
    record_key,
    record_no,
    subject_type,
    subject_key,
    record_type,
    title,
    decided_on,
    authority,
    source_id,
    published_from,
    published_until,
    repairable_from,
    repair_state,
    repair_application_no,
    repair_application_count,
    repair_applied_on,
    repair_reviewed_on,
    repair_review_office,
    repair_approved_on,
    repair_effective_on,
    coalesce(repair_state = 'effective', false) as is_repaired,
    published_from <= {{ as_of }} and (published_until is null or {{ as_of }} < published_until) as is_published,
    cast({{ as_of }} as date) as as_of
from final
