-- People on each no-application service's list, counted per village (无感服务名单统计); publish empties small cells.

select
    persons.village_code,
    lists.service_code,
    lists.service_title,
    lists.department,
    count(distinct lists.person_key) as persons
from {{ ref('service_eligibility') }} as lists
inner join {{ ref('natural_person') }} as persons on persons.person_key = lists.person_key
group by persons.village_code, lists.service_code, lists.service_title, lists.department
