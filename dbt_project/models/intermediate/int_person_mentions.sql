-- One row per person mentioned in any current staged record, in one shape, whatever the source.
-- Roles: resident (hukou, grid), applicant, credit_subject (one window), legal_rep (market), husband/wife.

{%- set text = dbt.type_string() %}

with

hukou_residents as (
    select
        'hukou' as source_id,
        'residents' as entity,
        record_id,
        'resident' as role,
        name,
        id_number_raw,
        id_number,
        id_number_reason,
        sex,
        birth_date,
        cast(null as {{ text }}) as phone,
        village_code,
        household_no,
        address,
        cast(null as {{ text }}) as house_no,
        _received_at as observed_at,
        _delivery_id
    from {{ ref('stg_hukou__residents') }}
),

grid_residents as (
    select
        'grid' as source_id,
        'residents' as entity,
        residents.record_id,
        'resident' as role,
        residents.name,
        residents.id_number_raw,
        residents.id_number,
        residents.id_number_reason,
        residents.sex,
        residents.birth_date,
        residents.phone,
        -- a grid worker's record may carry only the grid; the grid lies in one village
        coalesce(residents.village_code, grids.village_code) as village_code,
        cast(null as {{ text }}) as household_no,
        residents.address,
        residents.house_no,
        residents.collected_at as observed_at,
        residents._delivery_id
    from {{ ref('stg_grid__residents') }} as residents
    left join {{ ref('grids') }} as grids on residents.grid_code = grids.grid_code
),

applicants as (
    select
        'onewindow' as source_id,
        'person_applications' as entity,
        record_id,
        'applicant' as role,
        applicant_name as name,
        applicant_id_number_raw as id_number_raw,
        applicant_id_number as id_number,
        applicant_id_number_reason as id_number_reason,
        cast(null as {{ text }}) as sex,
        cast(null as date) as birth_date,
        applicant_phone as phone,
        village_code,
        cast(null as {{ text }}) as household_no,
        cast(null as {{ text }}) as address,
        cast(null as {{ text }}) as house_no,
        submitted_at as observed_at,
        _delivery_id
    from {{ ref('stg_onewindow__person_applications') }}
),

credit_subjects as (
    select
        'onewindow' as source_id,
        'credit_records' as entity,
        record_id,
        'credit_subject' as role,
        subject_name as name,
        subject_id_raw as id_number_raw,
        subject_id as id_number,
        subject_id_reason as id_number_reason,
        cast(null as {{ text }}) as sex,
        cast(null as date) as birth_date,
        cast(null as {{ text }}) as phone,
        cast(null as {{ text }}) as village_code,
        cast(null as {{ text }}) as household_no,
        cast(null as {{ text }}) as address,
        cast(null as {{ text }}) as house_no,
        updated_at as observed_at,
        _delivery_id
    from {{ ref('stg_onewindow__credit_records') }}
    where subject_type = 'person'
),

legal_reps as (
    select
        'market_registry' as source_id,
        'enterprises' as entity,
        record_id,
        'legal_rep' as role,
        legal_rep_name as name,
        legal_rep_id_number_raw as id_number_raw,
        legal_rep_id_number as id_number,
        legal_rep_id_number_reason as id_number_reason,
        cast(null as {{ text }}) as sex,
        cast(null as date) as birth_date,
        cast(null as {{ text }}) as phone,
        cast(null as {{ text }}) as village_code,
        cast(null as {{ text }}) as household_no,
        cast(null as {{ text }}) as address,
        cast(null as {{ text }}) as house_no,
        _received_at as observed_at,
        _delivery_id
    from {{ ref('stg_market_registry__enterprises') }}
    -- an enterprise with neither name nor number for its representative mentions nobody
    where legal_rep_name is not null or legal_rep_id_number_raw is not null
),

{% for spouse in ['husband', 'wife'] %}
{{ spouse }}s as (
    select
        'civil_marriage' as source_id,
        'registrations' as entity,
        record_id,
        '{{ spouse }}' as role,
        {{ spouse }}_name as name,
        {{ spouse }}_id_number_raw as id_number_raw,
        {{ spouse }}_id_number as id_number,
        {{ spouse }}_id_number_reason as id_number_reason,
        cast(null as {{ text }}) as sex,
        cast(null as date) as birth_date,
        cast(null as {{ text }}) as phone,
        cast(null as {{ text }}) as village_code,
        cast(null as {{ text }}) as household_no,
        cast(null as {{ text }}) as address,
        cast(null as {{ text }}) as house_no,
        cast(registered_on as timestamp with time zone) as observed_at,
        _delivery_id
    from {{ ref('stg_civil_marriage__registrations') }}
),
{% endfor %}

-- the legacy department systems, staged generically from the registry (models/staging/legacy/)
legacy as (
    select
        source_id, entity, record_id, role, name, id_number_raw, id_number, id_number_reason, sex, birth_date,
        phone, village_code, household_no, address, house_no, observed_at, _delivery_id
    from {{ ref('stg_legacy__person_mentions') }}
),

unioned as (
    select * from hukou_residents
    union all select * from grid_residents
    union all select * from applicants
    union all select * from credit_subjects
    union all select * from legal_reps
    union all select * from husbands
    union all select * from wifes
    union all select * from legacy
)

select * from unioned
