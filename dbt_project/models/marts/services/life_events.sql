-- Life events that trigger no-application services (无感服务), one row per person per event:
-- marriage (both parties), birth (newborn and parents), death, and the birthdays that reach retirement age
-- or 80 inside the window ending at the as-of date. Only mentions the platform attributed to a natural person
-- (person_source_xref) become events; the rest wait in person_records_unresolved / person_match_review.

{%- set as_of = as_of_date() %}
{%- set window_days = var('life_event_window_days') | int %}

with

xref as (
    select person_key, source_id, record_id, role, match_method
    from {{ ref('person_source_xref') }}
),

marriage_registrations as (
    select registration_no, registered_on
    from {{ ref('stg_civil_marriage__registrations') }}
    where registration_type = '结婚' and registered_on <= {{ as_of }}
),

marriages as (
    select
        'marriage' as event_type,
        xref.person_key,
        xref.role,
        registrations.registered_on as event_date,
        'civil_marriage' as source_id,
        registrations.registration_no as record_id,
        xref.match_method
    from marriage_registrations as registrations
    inner join xref
        on xref.source_id = 'civil_marriage'
        and xref.record_id = registrations.registration_no
        and xref.role in ('husband', 'wife')
),

birth_source as (
    select * from {{ source('wj_birth_certificates', 'records') }}
),

birth_certificates as (
    select cast(record_no as {{ dbt.type_string() }}) as record_no, event_date
    from ({{ deduplicate('birth_source', 'wj_birth_certificates', 'records') }}) as current_rows
    where event_date <= {{ as_of }}
),

births as (
    select
        'birth' as event_type,
        xref.person_key,
        xref.role,
        certificates.event_date,
        'wj_birth_certificates' as source_id,
        certificates.record_no as record_id,
        xref.match_method
    from birth_certificates as certificates
    inner join xref
        on xref.source_id = 'wj_birth_certificates'
        and xref.record_id = certificates.record_no
),

death_source as (
    select * from {{ source('mz_deaths', 'records') }}
),

funeral_source as (
    select * from {{ source('mz_funerals', 'records') }}
),

death_records as (
    -- the death register is preferred; a cremation record stands in when the death register lacks the person
    select 1 as preference, 'mz_deaths' as source_id, cast(record_no as {{ dbt.type_string() }}) as record_no, event_date
    from ({{ deduplicate('death_source', 'mz_deaths', 'records') }}) as current_deaths
    union all
    select 2 as preference, 'mz_funerals' as source_id, cast(record_no as {{ dbt.type_string() }}) as record_no, event_date
    from ({{ deduplicate('funeral_source', 'mz_funerals', 'records') }}) as current_funerals
),

death_mentions as (
    select
        xref.person_key,
        death_records.event_date,
        death_records.source_id,
        death_records.record_no,
        xref.match_method,
        row_number() over (
            partition by xref.person_key
            order by death_records.preference, death_records.event_date, death_records.record_no
        ) as rank_in_person
    from death_records
    inner join xref
        on xref.source_id = death_records.source_id
        and xref.record_id = death_records.record_no
        and xref.role = 'deceased'
    where death_records.event_date <= {{ as_of }}
),

deaths as (
    select
        'death' as event_type,
        person_key,
        'deceased' as role,
        event_date,
        source_id,
        record_no as record_id,
        match_method
    from death_mentions
    where rank_in_person = 1
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
    select * from marriages
    union all
    select * from births
    union all
    select * from deaths
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
