-- A repair in effect withdraws its record from every credit output: not published, not in credit_record, not scored.
with

repaired as (
    select record_key
    from {{ ref('credit_record_status') }}
    where is_repaired
)

select status.record_key, 'still published' as problem
from {{ ref('credit_record_status') }} as status
where status.is_repaired and status.is_published
union all
select record.record_key, 'in credit_record' as problem
from {{ ref('credit_record') }} as record
inner join repaired on repaired.record_key = record.record_key
union all
select contribution.record_key, 'still scored' as problem
from {{ ref('credit_score_contribution') }} as contribution
inner join repaired on repaired.record_key = contribution.record_key
