-- The credit office's repair register as last delivered: one row per application, the credit record it names
-- (source system and record number), the applicant's identifier checked as a citizen ID or a credit code, and
-- the review result as a code (approved / rejected / pending; null when the register uses a word we do not know).

with

deduplicated as (
    {{ deduplicate('xy_credit_repair', 'repair_applications') }}
),

cleaned as (
    select
        deduplicated.*,
        {{ clean_identifier('subject_id') }} as subject_id_clean,
        {{ clean_text('review_result') }} as review_result_clean
    from deduplicated
),

identified as (
    select
        cleaned.*,
        {{ normalise_citizen_id('subject_id_clean', cleaned=true) }} as subject_citizen_id,
        {{ normalise_uscc('subject_id_clean', cleaned=true) }} as subject_uscc
    from cleaned
),

renamed as (
    select
        application_no as record_id,
        {{ clean_text('application_no') }} as application_no,
        {{ clean_text('source_id') }} as source_id,
        {{ clean_text('record_no') }} as record_no,
        {{ clean_name('subject_name') }} as subject_name,
        subject_id as subject_id_raw,
        -- one column holds a person's ID number or an organisation's credit code: its shape says which
        case
            when subject_citizen_id is not null then 'person'
            when subject_uscc is not null then 'enterprise'
        end as subject_type,
        coalesce(subject_citizen_id, subject_uscc) as subject_id,
        case
            when subject_citizen_id is null and subject_uscc is null then
                case
                    when translate(subject_id_clean, '0123456789X', '') = ''
                        then {{ citizen_id_reason('subject_id_clean', cleaned=true) }}
                    else {{ uscc_reason('subject_id_clean', cleaned=true) }}
                end
        end as subject_id_reason,
        applied_on,
        review_result_clean as review_result_raw,
        case review_result_clean
            when '准予修复' then 'approved'
            when '同意修复' then 'approved'
            when '不予修复' then 'rejected'
            when '不同意修复' then 'rejected'
            when '审查中' then 'pending'
            when '受理' then 'pending'
        end as review_result,
        reviewed_on,
        {{ clean_text('review_office') }} as review_office,
        _delivery_id,
        _line,
        _received_at
    from identified
)

select * from renamed
