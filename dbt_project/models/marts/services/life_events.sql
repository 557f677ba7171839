-- Life events that trigger no-application services (无感服务), one row per person per event: those source records
-- carry (int_life_event_records_unioned: marriage for both parties, birth for newborn and parents, death), and the
-- birthdays that reach retirement age or 80 inside the window ending at the as-of date. Only mentions the platform attributed to a natural person
-- (person_source_xref) become events; the rest wait in person_records_unresolved / person_match_review.

{%- set as_of = as_of_date() %}
{%- set window_days = var('life_event_window_days') | int %}

with

xref as (
    select person_key, source_id, entity, record_id, role, match_method
    from {{ ref('person_source_xref') }}
),

records as (
    -- every record of a life event that registry entities carry (their `events:` blocks)
    select event_type, source_id, entity, record_id, event_date, role, preference
    from {{ ref('int_life_event_records_unioned') }}
    where event_date <= {{ as_of }}
),

recorded as (
    select
        records.event_type,
        xref.person_key,
        xref.role,
        records.event_date,
        records.source_id,
        records.record_id,
        xref.match_method,
        row_number() over (
            partition by records.event_type, xref.person_key
            order by records.preference, records.event_date, records.record_id
        ) as rank_in_person
    from records
    inner join xref
        on xref.source_id = records.source_id
        and xref.entity = records.entity
        and xref.record_id = records.record_id
        and (records.role is null or xref.role = records.role)
),

recorded_events as (
    select event_type, person_key, role, event_date, source_id, record_id, match_method
    from recorded
    -- a person dies once: the most preferred source's record counts (the death register before a cremation record)
    where event_type <> 'death' or rank_in_person = 1
),

deaths as (
    select person_key, event_date
    from recorded_events
    where event_type = 'death'
),

birthdays as (
    select
        person_key,
        birth_date,
        -- simplification: statutory retirement age 60 for men, 55 for women (no job categories, no 2025 reform)
        case sex when 'M' then 60 else 55 end as retirement_age
    from {{ ref('natural_person') }}
    where birth_date is not null
),

birthday_events as (
    select
        'retirement_age' as event_type,
        person_key,
        cast({{ dbt.dateadd('year', 'retirement_age', 'birth_date') }} as date) as event_date
    from birthdays
    union all
    select
        'age_80' as event_type,
        person_key,
        cast({{ dbt.dateadd('year', 80, 'birth_date') }} as date) as event_date
    from birthdays
),

birthdays_in_window as (
    select
        birthday_events.event_type,
        birthday_events.person_key,
        'subject' as role,
        birthday_events.event_date,
        'natural_person' as source_id,
        cast(null as {{ dbt.type_string() }}) as record_id,
        cast(null as {{ dbt.type_string() }}) as match_method
    from birthday_events
    left join deaths
        on deaths.person_key = birthday_events.person_key
    where birthday_events.event_date <= {{ as_of }}
        and birthday_events.event_date > {{ dbt.dateadd('day', -window_days, as_of) }}
        -- nobody reaches an age after dying
        and (deaths.event_date is null or deaths.event_date > birthday_events.event_date)
),

events as (
    select * from recorded_events
    union all
    select * from birthdays_in_window
),

final as (
    select
        -- the event's own identity: a registration or certificate, or the person for a death or a birthday
        event_type || ':' || coalesce(record_id, person_key) as event_ref,
        {{ surrogate_key(["event_type", "coalesce(record_id, '')", "person_key", "role"]) }} as event_key,
        event_type,
        person_key,
        role,
        event_date,
        source_id,
        record_id,
        match_method,
        cast({{ as_of }} as date) as as_of
    from events
)

select
    event_key,
    event_ref,
    event_type,
    person_key,
    role,
    event_date,
    source_id,
    record_id,
    match_method,
    as_of
from final
