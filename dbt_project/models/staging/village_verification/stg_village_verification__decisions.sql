-- The owning departments' decisions on the villages' corrections, as the API dropped them: one row per correction
-- decided (accepted / rejected; null for a word we do not know), with the reviewer, the time and the reason.

with

deduplicated as (
    {{ deduplicate('village_verification', 'decisions') }}
),

renamed as (
    select
        correction_id,
        case {{ clean_text('decision') }}
            when 'accepted' then 'accepted'
            when 'rejected' then 'rejected'
        end as decision,
        {{ clean_text('department') }} as department,
        {{ clean_text('reviewer') }} as reviewer,
        decided_at,
        {{ clean_text('reason') }} as reason,
        _delivery_id,
        _line,
        _received_at
    from deduplicated
)

select * from renamed
