-- New market entities registered per month, by town and entity type, sole traders counted but named nowhere
-- (市场主体发展情况): the monthly series a district publishes beside its stock (market_entity_statistics).

select
    cast({{ dbt.date_trunc('month', 'legal_person.established_on') }} as date) as month,
    coalesce(village.town_code, '000000000') as town_code,
    coalesce(village.town_name, '未知镇街') as town_name,
    coalesce(legal_person.entity_type, '未登记类型') as entity_type,
    count(*) as registered,
    count(case when legal_person.is_sole_trader then 1 end) as sole_traders
from {{ ref('legal_person') }} as legal_person
left join {{ ref('village') }} as village
    on village.village_code = legal_person.village_code
where legal_person.in_market_registry
    and legal_person.established_on is not null
group by 1, 2, 3, 4
