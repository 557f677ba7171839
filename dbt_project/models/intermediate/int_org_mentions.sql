-- One row per organisation mentioned in any current staged record, in one shape, whatever the source.

{%- set text = dbt.type_string() %}

with

registrants as (
    select
        'market_registry' as source_id,
        'enterprises' as entity,
        record_id,
        'registrant' as role,
        name,
        uscc_raw,
        uscc,
        uscc_reason,
        entity_type,
        is_sole_trader,
        village_code,
        address,
        _received_at as observed_at,
        _delivery_id
    from {{ ref('stg_market_registry__enterprises') }}
),

applicants as (
    select
        'onewindow' as source_id,
        'enterprise_applications' as entity,
        record_id,
        'applicant' as role,
        enterprise_name as name,
        uscc_raw,
        uscc,
        uscc_reason,
        cast(null as {{ text }}) as entity_type,
        cast(null as boolean) as is_sole_trader,
        cast(null as {{ text }}) as village_code,
        cast(null as {{ text }}) as address,
        submitted_at as observed_at,
        _delivery_id
    from {{ ref('stg_onewindow__enterprise_applications') }}
),

credit_subjects as (
    select
        'onewindow' as source_id,
        'credit_records' as entity,
        record_id,
        'credit_subject' as role,
        subject_name as name,
        subject_id_raw as uscc_raw,
        subject_id as uscc,
        subject_id_reason as uscc_reason,
        cast(null as {{ text }}) as entity_type,
        cast(null as boolean) as is_sole_trader,
        cast(null as {{ text }}) as village_code,
        cast(null as {{ text }}) as address,
        updated_at as observed_at,
        _delivery_id
    from {{ ref('stg_onewindow__credit_records') }}
    where subject_type = 'enterprise'
),

-- the legacy department systems, staged generically from the registry (models/staging/legacy/)
legacy as (
    select
        source_id, entity, record_id, role, name, uscc_raw, uscc, uscc_reason, entity_type, is_sole_trader,
        village_code, address, observed_at, _delivery_id
    from {{ ref('stg_legacy__org_mentions') }}
),

unioned as (
    select * from registrants
    union all select * from applicants
    union all select * from credit_subjects
    union all select * from legacy
)

select * from unioned
