-- Grid governance figures (网格治理指标) per month of report, category, department, grid and village: events reported,
-- closed, closure rate, median and p90 days to close, open events past their category's time limit, and repeat
-- events (an earlier event of the same category had been reported at the same address).

with

events as (
    select
        category,
        department,
        grid_code,
        village_code,
        -- months and ages are counted in the district's own calendar (Asia/Shanghai), not the session's
        {{ local_date('reported_at', 'Asia/Shanghai') }} as reported_on,
        closed_at,
        days_to_close,
        is_repeat_at_address
    from {{ ref('grid_event') }}
),

limits as (
    select
        category,
        limit_days
    from {{ ref('grid_event_time_limits') }}
),

villages as (
    select
        village_code,
        village_name,
        town_code,
        town_name
    from {{ ref('village') }}
),

aged as (
    select
        events.category,
        events.department,
        events.grid_code,
        events.village_code,
        cast({{ dbt.date_trunc('month', 'events.reported_on') }} as date) as report_month,
        events.closed_at,
        events.days_to_close,
        case when events.is_repeat_at_address then 1 else 0 end as is_repeat,
        -- an open event is overdue once more whole days than its category allows have passed by the as-of date
        case
            when events.closed_at is null
                and {{ dbt.datediff('events.reported_on', as_of_date(), 'day') }} > limits.limit_days
                then 1
            else 0
        end as is_overdue_open
    from events
    left join limits on events.category = limits.category
),

figures as (
    select
        report_month,
        category,
        department,
        grid_code,
        village_code,
        count(*) as events_reported,
        count(closed_at) as events_closed,
        percentile_cont(0.5) within group (order by days_to_close) as median_days_to_close,
        percentile_cont(0.9) within group (order by days_to_close) as p90_days_to_close,
        sum(is_overdue_open) as overdue_open_events,
        sum(is_repeat) as repeat_events
    from aged
    group by report_month, category, department, grid_code, village_code
)

select
    figures.report_month,
    figures.category,
    figures.department,
    villages.town_code,
    villages.town_name,
    figures.village_code,
    villages.village_name,
    figures.grid_code,
    cast(figures.events_reported as integer) as events_reported,
    cast(figures.events_closed as integer) as events_closed,
    cast(figures.events_closed as double) / figures.events_reported as closure_rate,
    cast(figures.median_days_to_close as double) as median_days_to_close,
    cast(figures.p90_days_to_close as double) as p90_days_to_close,
    cast(figures.overdue_open_events as integer) as overdue_open_events,
    cast(figures.repeat_events as integer) as repeat_events
from figures
left join villages on figures.village_code = villages.village_code
