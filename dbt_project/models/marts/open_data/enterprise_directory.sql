-- The open enterprise directory: registered market entities, without sole traders, whose codes and
-- names are personal data.

select
    uscc,
    name,
    entity_type,
    established_on,
    registered_capital,
    village_code,
    status
from {{ ref('legal_person') }}
where in_market_registry
    and not is_sole_trader
