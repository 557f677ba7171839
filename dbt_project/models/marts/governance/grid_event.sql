-- One row per grid event (网格事件) with how long it took to close; no personal data.

with

events as (
    select
        events.event_no,
        events.category,
        events.event_type,
        events.department,
        events.grid_code,
        coalesce(events.village_code, grids.village_code) as village_code,
        events.address,
        events.reported_at,
        events.closed_at,
        events.status,
        -- the platform may record a later state of an event under a new row id: keep the latest
        row_number() over (partition by events.event_no order by events.event_id desc) as event_rank
    from {{ ref('stg_grid__events') }} as events
    left join {{ ref('grids') }} as grids on events.grid_code = grids.grid_code
    where events.event_no is not null
),

latest as (
    select
        event_no,
        category,
        event_type,
        department,
        grid_code,
        village_code,
        reported_at,
        closed_at,
        status,
        -- the n-th event of its category at one address (the address itself stays here: it is where someone lives)
        case when address is null then 1 else row_number() over (
            partition by address, category order by reported_at, event_no
        ) end as nth_at_address
    from events
    where event_rank = 1
),

final as (
    select
        event_no,
        category,
        event_type,
        department,
        grid_code,
        village_code,
        reported_at,
        closed_at,
        status,
        -- calendar days in the district's own time zone, whatever the time zone of the session building it
        {{ dbt.datediff(
            local_date('reported_at', 'Asia/Shanghai'),
            local_date('closed_at', 'Asia/Shanghai'),
            'day'
        ) }} as days_to_close,
        nth_at_address > 1 as is_repeat_at_address
    from latest
)

select
    event_no,
    category,
    event_type,
    department,
    grid_code,
    village_code,
    reported_at,
    closed_at,
    status,
    cast(days_to_close as integer) as days_to_close,
    is_repeat_at_address
from final
