-- The data stewards' decisions on person matches sent to review, as the API dropped them: one row per decision
-- (link to a candidate, reject a candidate, a new person; null for a word we do not know). Entity resolution reads
-- this model and applies the latest decision per mention on its next run.

with

deduplicated as (
    {{ deduplicate('match_review', 'decisions') }}
),

renamed as (
    select
        decision_id,
        {{ clean_text('source_id') }} as source_id,
        {{ clean_text('entity') }} as entity,
        {{ clean_text('record_id') }} as record_id,
        {{ clean_text('role') }} as role,
        case {{ clean_text('decision') }}
            when 'link' then 'link'
            when 'reject' then 'reject'
            when 'new_person' then 'new_person'
        end as decision,
        {{ clean_text('candidate_person_key') }} as candidate_person_key,
        {{ clean_text('steward') }} as steward,
        decided_at,
        _delivery_id,
        _line,
        _received_at
    from deduplicated
)

select * from renamed
