-- The medical-insurance bureau's designated pharmacies and medical institutions (定点医药机构), latest monthly
-- snapshot: one row per agreement record, the institution's credit code normalised with its reason kept. Its people
-- (the legal representative) reach the warehouse through the registry's generic mentions, not through this model.

with

deduplicated as (
    {{ deduplicate('yb_designated_pharmacies', 'records') }}
),

cleaned as (
    select
        deduplicated.*,
        {{ clean_identifier('uscc') }} as uscc_clean
    from deduplicated
),

renamed as (
    select
        record_no as record_id,
        {{ uscc_columns('uscc') }},
        {{ clean_name('org_name') }} as org_name,
        {{ clean_text('village_code') }} as village_code,
        event_date as agreed_on,
        _delivery_id,
        _line,
        _received_at
    from cleaned
)

select * from renamed
