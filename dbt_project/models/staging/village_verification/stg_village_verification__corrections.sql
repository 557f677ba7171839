-- What cadres sent back from their rosters (还数于村), as the API dropped it: one row per correction — an attribute
-- of a resident changed — or per "confirmed, no change" (attribute null). Values are the roster's, so sex comes as
-- 男/女 and is coded here like any source's.

with

deduplicated as (
    {{ deduplicate('village_verification', 'corrections') }}
),

renamed as (
    select
        'village_verification' as source_id,
        'corrections' as entity,
        cast(correction_id as {{ dbt.type_string() }}) as record_id,
        correction_id,
        {{ clean_text('upload_sha256') }} as upload_sha256,
        {{ clean_text('village_code') }} as village_code,
        {{ clean_text('roster_person_key') }} as roster_person_key,
        {{ clean_text('attribute') }} as attribute,
        {{ clean_text('old_value') }} as old_value,
        case
            when attribute = 'sex' then {{ standard_sex('new_value') }}
            when attribute = 'name' then {{ clean_name('new_value') }}
            else {{ clean_text('new_value') }}
        end as new_value,
        {{ clean_text('department') }} as department,
        {{ clean_text('cadre') }} as cadre,
        submitted_at,
        _delivery_id,
        _line,
        _received_at
    from deduplicated
)

select * from renamed
