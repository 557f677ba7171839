with

deduplicated as (
    {{ deduplicate('onewindow', 'credit_records') }}
),

typed as (
    select
        deduplicated.*,
        {{ clean_identifier('subject_id') }} as subject_id_clean,
        case
            when lower({{ trim_spaces('subject_type') }}) in ('person', 'natural_person', '自然人', '个人') then 'person'
            when lower({{ trim_spaces('subject_type') }}) in ('enterprise', 'legal_person', 'organisation', 'org', '法人', '企业', '法人和其他组织')
                then 'enterprise'
        end as standard_subject_type
    from deduplicated
),

renamed as (
    select
        record_no as record_id,
        record_no,
        standard_subject_type as subject_type,
        subject_type as subject_type_raw,
        {{ clean_name('subject_name') }} as subject_name,
        subject_id as subject_id_raw,
        -- the subject's number is a citizen ID for people and a credit code for enterprises
        case standard_subject_type
            when 'person' then {{ normalise_citizen_id('subject_id_clean', cleaned=true) }}
            when 'enterprise' then {{ normalise_uscc('subject_id_clean', cleaned=true) }}
        end as subject_id,
        case standard_subject_type
            when 'person' then {{ citizen_id_reason('subject_id_clean', cleaned=true) }}
            when 'enterprise' then {{ uscc_reason('subject_id_clean', cleaned=true) }}
            else 'unknown_subject_type'
        end as subject_id_reason,
        {{ clean_text('record_type') }} as record_type,
        {{ clean_text('title') }} as title,
        decided_on,
        {{ clean_text('authority') }} as authority,
        updated_at,
        _delivery_id,
        _line,
        _received_at
    from typed
)

select * from renamed
