with

deduplicated as (
    {{ deduplicate('onewindow', 'person_applications') }}
),

cleaned as (
    select
        deduplicated.*,
        {{ clean_identifier('applicant_id_number') }} as applicant_id_number_clean
    from deduplicated
),

renamed as (
    select
        application_no as record_id,
        application_no,
        {{ clean_text('item_code') }} as item_code,
        {{ clean_text('item_name') }} as item_name,
        {{ clean_name('applicant_name') }} as applicant_name,
        {{ citizen_id_columns('applicant_id_number') }},
        {{ clean_phone('applicant_phone') }} as applicant_phone,
        {{ clean_text('village_code') }} as village_code,
        submitted_at,
        {{ clean_text('status') }} as status,
        updated_at,
        _delivery_id,
        _line,
        _received_at
    from cleaned
)

select * from renamed
