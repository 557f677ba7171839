-- Who is offered which no-application service (无感服务), one row per person per service per event, from
-- life_events and the rules in the seed life_event_services. A person with a death event is offered nothing
-- but the stop-payment services (event_type death).

with

events as (
    select event_key, event_ref, event_type, person_key, role, event_date, source_id, record_id, as_of
    from {{ ref('life_events') }}
),

rules as (
    select service_code, title, department, event_type, target_role, rule
    from {{ ref('life_event_services') }}
),

dead as (
    select distinct person_key
    from events
    where event_type = 'death'
),

matched as (
    select
        rules.service_code,
        rules.title as service_title,
        rules.department,
        rules.rule,
        events.event_key,
        events.event_ref,
        events.event_type,
        events.person_key,
        events.role,
        events.event_date,
        events.source_id,
        events.record_id,
        events.as_of
    from events
    inner join rules
        on rules.event_type = events.event_type
        and (
            rules.target_role = events.role
            or (rules.target_role = 'spouse' and events.role in ('husband', 'wife'))
        )
),

final as (
    select
        {{ surrogate_key(["matched.service_code", "matched.event_key"]) }} as eligibility_key,
        matched.*
    from matched
    left join dead
        on dead.person_key = matched.person_key
    where matched.event_type = 'death' or dead.person_key is null
)

select
    eligibility_key,
    service_code,
    service_title,
    department,
    rule,
    event_key,
    event_ref,
    event_type,
    person_key,
    role,
    event_date,
    source_id,
    record_id,
    as_of
from final
