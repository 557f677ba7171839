-- Every credit record with its publication window and repair status: a record is published from its decision
-- until the longest publication period of its type (seed credit_publication_rules) or until an approved repair
-- (seed credit_repair_applications) ends it; a repair counts only after the shortest publication period.

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
    select source_id, record_no, min(approved_on) as approved_on
    from {{ ref('credit_repair_applications') }}
    where approved_on is not null
    group by source_id, record_no
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
        repairs.approved_on as repair_approved_on
    from records
    left join publication_rules
        on publication_rules.record_type = records.record_type
    left join repairs
        on repairs.source_id = records.source_id
        and repairs.record_no = records.record_no
),

final as (
    select
        *,
        -- a repair approved before the shortest publication period ends takes effect when that period ends
        case
            when repair_approved_on is null then published_until_by_rule
            when published_until_by_rule is not null
                and published_until_by_rule < greatest(repair_approved_on, repairable_from)
                then published_until_by_rule
            else greatest(repair_approved_on, repairable_from)
        end as published_until,
        repair_approved_on is not null and greatest(repair_approved_on, repairable_from) <= {{ as_of }} as is_repaired
    from windows
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
    repair_approved_on,
    coalesce(is_repaired, false) as is_repaired,
    published_from <= {{ as_of }} and (published_until is null or {{ as_of }} < published_until) as is_published,
    cast({{ as_of }} as date) as as_of
from final
