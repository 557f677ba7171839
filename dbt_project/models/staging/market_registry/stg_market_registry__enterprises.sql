with

deduplicated as (
    {{ deduplicate('market_registry', 'enterprises') }}
),

cleaned as (
    select
        deduplicated.*,
        {{ clean_identifier('uscc') }} as uscc_clean,
        {{ clean_identifier('legal_rep_id_number') }} as legal_rep_id_number_clean
    from deduplicated
),

renamed as (
    select
        uscc as record_id,
        {{ uscc_columns('uscc') }},
        {{ clean_name('name') }} as name,
        {{ clean_text('entity_type') }} as entity_type,
        -- 个体工商户: their codes start 92 (registration authority 9, organisation type 2)
        coalesce(entity_type like '%个体%', false) or uscc_clean like '92%' as is_sole_trader,
        {{ clean_name('legal_rep_name') }} as legal_rep_name,
        {{ citizen_id_columns('legal_rep_id_number') }},
        established_on,
        registered_capital,
        {{ clean_text('address') }} as address,
        {{ clean_text('village_code') }} as village_code,
        {{ clean_text('status') }} as status,
        _delivery_id,
        _line,
        _received_at
    from cleaned
)

select * from renamed
