-- Households as an analyst may see them (分析用户画像): a pseudonymous household key in place of the register's
-- household number, village, grid and size; no address.

select
    {{ pseudonym_key('household', 'household_no') }} as household_key,
    village_code,
    grid_code,
    member_count,
    unresolved_member_count,
    head_person_key
from {{ ref('household') }}
