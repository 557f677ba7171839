-- Life events counted per village, month and event type (生命事件统计): how many people each kind of event touched;
-- publish empties cells under the minimum cell size.

select
    persons.village_code,
    cast(date_trunc('month', events.event_date) as date) as event_month,
    events.event_type,
    count(distinct events.person_key) as persons
from {{ ref('life_events') }} as events
inner join {{ ref('natural_person') }} as persons on persons.person_key = events.person_key
group by persons.village_code, cast(date_trunc('month', events.event_date) as date), events.event_type
