with

deduplicated as (
    {{ deduplicate('onewindow', 'enterprise_applications') }}
),

cleaned as (
    select
        deduplicated.*,
        {{ clean_identifier('uscc') }} as uscc_clean
    from deduplicated
),

renamed as (
    select
        application_no as record_id,
        application_no,
        {{ clean_text('item_code') }} as item_code,
        {{ clean_text('item_name') }} as item_name,
        {{ clean_name('enterprise_name') }} as enterprise_name,
        {{ uscc_columns('uscc') }},
        {{ clean_name('agent_name') }} as agent_name,
        submitted_at,
        {{ clean_text('status') }} as status,
        updated_at,
        _delivery_id,
        _line,
        _received_at
    from cleaned
)

select * from renamed
