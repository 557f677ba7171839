-- Registered market entities counted by village, entity type and registration status, sole traders included:
-- counts of businesses name nobody.

select
    coalesce(village_code, '000000000000') as village_code,
    coalesce(entity_type, '未登记类型') as entity_type,
    coalesce(status, '未知') as status,
    count(*) as entities,
    count(case when is_sole_trader then 1 end) as sole_traders
from {{ ref('legal_person') }}
where in_market_registry
group by 1, 2, 3
