-- A person with a death event is offered no service except the stop-payment ones (event_type death).
select
    eligibility.person_key,
    eligibility.service_code
from {{ ref('service_eligibility') }} as eligibility
inner join {{ ref('life_events') }} as events
    on events.person_key = eligibility.person_key
    and events.event_type = 'death'
where eligibility.event_type <> 'death'
