with

deduplicated as (
    {{ deduplicate('civil_marriage', 'registrations') }}
),

cleaned as (
    select
        deduplicated.*,
        {{ clean_identifier('husband_id_number') }} as husband_id_number_clean,
        {{ clean_identifier('wife_id_number') }} as wife_id_number_clean
    from deduplicated
),

renamed as (
    select
        registration_no as record_id,
        registration_no,
        {{ clean_text('registration_type') }} as registration_type,
        registered_on,
        {{ clean_name('husband_name') }} as husband_name,
        {{ citizen_id_columns('husband_id_number') }},
        {{ clean_name('wife_name') }} as wife_name,
        {{ citizen_id_columns('wife_id_number') }},
        {{ clean_text('office') }} as office,
        _delivery_id,
        _line,
        _received_at
    from cleaned
)

select * from renamed
