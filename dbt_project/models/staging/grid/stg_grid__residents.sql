with

deduplicated as (
    {{ deduplicate('grid', 'residents') }}
),

cleaned as (
    select
        deduplicated.*,
        {{ clean_identifier('id_number') }} as id_number_clean
    from deduplicated
),

renamed as (
    select
        cast(id as {{ dbt.type_string() }}) as record_id,
        id as resident_id,
        {{ clean_name('name') }} as name,
        {{ citizen_id_columns('id_number') }},
        {{ standard_sex('sex') }} as sex,
        birth_date,
        {{ clean_phone('phone') }} as phone,
        {{ clean_text('house_no') }} as house_no,
        {{ clean_text('address') }} as address,
        {{ clean_text('grid_code') }} as grid_code,
        {{ clean_text('village_code') }} as village_code,
        collected_at,
        _delivery_id,
        _line,
        _received_at
    from cleaned
)

-- a grid worker's record may carry only the grid; the grid lies in one village
select
    renamed.*,
    coalesce(renamed.village_code, grids.village_code) as village_code_or_grid
from renamed
left join {{ ref('grids') }} as grids on renamed.grid_code = grids.grid_code
