-- Legal person ↔ premises: one row per organisation record that gives an address for a legal person (today the
-- market registry's 住所), with its village and, where the grid platform has recorded the same building, its grid
-- (macro locate_in_grid). The record's credit code, or the one entity resolution found for it, names the legal person.

{%- set text = dbt.type_string() %}

with

villages as (
    select code as village_code
    from {{ ref('admin_divisions') }}
    where level = 'village'
),

mentions as (
    select
        resolved.source_id,
        resolved.entity,
        resolved.record_id,
        resolved.role,
        resolved.resolved_uscc,
        resolved.match_method,
        resolved.match_probability,
        cast(null as {{ text }}) as house_no,
        orgs.address,
        -- a code that names no village places nothing
        villages.village_code,
        cast(null as {{ text }}) as grid_code,
        resolved.observed_at,
        resolved._delivery_id
    from {{ ref('int_org_mentions_resolved') }} as resolved
    inner join {{ ref('int_org_mentions') }} as orgs
        on resolved.source_id = orgs.source_id
        and resolved.entity = orgs.entity
        and resolved.record_id = orgs.record_id
        and resolved.role = orgs.role
    left join villages
        on orgs.village_code = villages.village_code
    where resolved.resolved_uscc is not null
        and orgs.address is not null
),

located as (
    {{ locate_in_grid('mentions') }}
),

final as (
    select
        {{ pseudonym_key('org', 'resolved_uscc') }} as org_key,
        address,
        located_village_code as village_code,
        located_grid_code as grid_code,
        located_by,
        source_id,
        entity,
        record_id,
        role,
        match_method,
        match_probability,
        observed_at,
        _delivery_id
    from located
)

select
    org_key,
    address,
    village_code,
    grid_code,
    located_by,
    source_id,
    entity,
    record_id,
    role,
    match_method,
    match_probability,
    observed_at,
    _delivery_id
from final
