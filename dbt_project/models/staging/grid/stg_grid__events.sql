with

deduplicated as (
    {{ deduplicate('grid', 'events') }}
),

renamed as (
    select
        cast(id as {{ dbt.type_string() }}) as record_id,
        id as event_id,
        {{ clean_text('event_no') }} as event_no,
        {{ clean_text('category') }} as category,
        {{ clean_text('event_type') }} as event_type,
        {{ clean_text('department') }} as department,
        {{ clean_text('grid_code') }} as grid_code,
        {{ clean_text('village_code') }} as village_code,
        {{ clean_text('address') }} as address,
        reported_at,
        {{ clean_text('status') }} as status,
        closed_at,
        _delivery_id,
        _line,
        _received_at
    from deduplicated
)

select * from renamed
