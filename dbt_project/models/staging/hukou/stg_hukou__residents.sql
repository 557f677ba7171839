with

deduplicated as (
    {{ deduplicate('hukou', 'residents') }}
),

cleaned as (
    select
        deduplicated.*,
        {{ clean_identifier('id_number') }} as id_number_clean
    from deduplicated
),

renamed as (
    select
        -- the registry's key, as delivered; a row without one is named by where it was delivered
        coalesce(id_number, _delivery_id || ':' || cast(_line as {{ dbt.type_string() }})) as record_id,
        {{ clean_text('household_no') }} as household_no,
        {{ clean_name('name') }} as name,
        {{ standard_sex('sex') }} as sex,
        birth_date,
        {{ citizen_id_columns('id_number') }},
        {{ clean_text('relation_to_head') }} as relation_to_head,
        {{ clean_text('address') }} as address,
        {{ clean_text('village_code') }} as village_code,
        registered_on,
        _delivery_id,
        _line,
        _received_at
    from cleaned
)

select * from renamed
