-- Per credit record named by a repair application: the application that decides the record's repair on the as-of
-- date. An approval decides (the earliest, when there are several); otherwise the latest application, whatever
-- its result, so a record rejected once and applied for again shows the new application. Applications made, and
-- reviews given, after the as-of date were not known on it.

{%- set as_of = as_of_date() %}

with

applications as (
    select
        application_no,
        source_id,
        record_no,
        applied_on,
        case
            when review_result in ('approved', 'rejected') and reviewed_on > {{ as_of }} then 'pending'
            -- a result the register words in a way we do not know decides nothing (warned in staging)
            else coalesce(review_result, 'pending')
        end as review_result,
        case when reviewed_on <= {{ as_of }} then reviewed_on end as reviewed_on,
        review_office
    from {{ ref('stg_xy_credit_repair__repair_applications') }}
    where applied_on <= {{ as_of }}
),

ranked as (
    select
        applications.*,
        count(*) over (partition by source_id, record_no) as application_count,
        row_number() over (
            partition by source_id, record_no
            order by
                case when review_result = 'approved' then 0 else 1 end,
                case when review_result = 'approved' then coalesce(reviewed_on, cast('9999-12-31' as date)) end,
                applied_on desc,
                application_no desc
        ) as decision_rank
    from applications
)

select
    source_id,
    record_no,
    application_no,
    applied_on,
    review_result,
    reviewed_on,
    review_office,
    application_count
from ranked
where decision_rank = 1
