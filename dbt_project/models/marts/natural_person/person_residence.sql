-- Person ↔ residence: one row per source record that says where a person lives or which house they hold. Which
-- sources and roles speak of a residence, and of which kind (registered 户籍, actual 实际居住, rented, owned),
-- is data: seed residence_sources and the `evidence:` blocks of the registry (int_residence_kinds). The house,
-- address and village are the record's; the grid is the record's own (grid platform) or where the grid platform has
-- recorded the same house, address or building (macro locate_in_grid). is_latest marks each person's most recent record of each kind. An actual address a village
-- corrected and its department accepted (int_village_verified_attributes) is a record too, observed when decided.

with

kinds as (
    select
        source_id,
        role,
        residence_kind
    from {{ ref('int_residence_kinds') }}
),

villages as (
    select code as village_code
    from {{ ref('admin_divisions') }}
    where level = 'village'
),

grid_records as (
    select
        record_id,
        grid_code
    from {{ ref('stg_grid__residents') }}
),

mentions as (
    select
        mentions.source_id,
        mentions.entity,
        mentions.record_id,
        mentions.role,
        kinds.residence_kind,
        mentions.resolved_id_number,
        mentions.match_method,
        mentions.match_probability,
        mentions.house_no,
        mentions.address,
        -- a code that names no village places nothing
        villages.village_code,
        -- only the grid platform's own records name a grid
        case when grid_register.source_id is not null then grid_records.grid_code end as grid_code,
        mentions.observed_at,
        mentions._delivery_id
    from {{ ref('int_person_mentions_resolved') }} as mentions
    inner join kinds
        on mentions.source_id = kinds.source_id
        and mentions.role = kinds.role
    left join villages
        on mentions.village_code = villages.village_code
    left join {{ ref('int_mention_registers') }} as grid_register
        on {{ in_register('grid_register', 'mentions', 'person', 'grid_population') }}
    -- equality only (the grid register is checked above): a condition on the left side alone in a left join's ON
    -- made DuckDB compare every mention with every grid record at the district
    left join grid_records
        on mentions.record_id = grid_records.record_id
    where mentions.resolved_id_number is not null
        and (mentions.house_no is not null or mentions.address is not null or mentions.village_code is not null)

    union all

    select
        verified.source_id,
        verified.entity,
        verified.record_id,
        verified.role,
        kinds.residence_kind,
        verified.resolved_id_number,
        verified.match_method,
        cast(1 as double) as match_probability,
        cast(null as {{ dbt.type_string() }}) as house_no,
        verified.value as address,
        villages.village_code,
        cast(null as {{ dbt.type_string() }}) as grid_code,
        verified.observed_at,
        verified._delivery_id
    from {{ ref('int_village_verified_attributes') }} as verified
    inner join kinds
        on verified.source_id = kinds.source_id
        and verified.role = kinds.role
    left join villages
        on verified.village_code = villages.village_code
    where verified.attribute = 'actual_address'
        and kinds.residence_kind = 'actual'
),

located as (
    {{ locate_in_grid('mentions') }}
),

final as (
    select
        {{ pseudonym_key('person', 'resolved_id_number') }} as person_key,
        residence_kind,
        located_house_no as house_no,
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
        _delivery_id,
        row_number() over (
            partition by resolved_id_number, residence_kind
            order by observed_at desc, source_id, entity, record_id, role
        ) = 1 as is_latest
    from located
)

select
    person_key,
    residence_kind,
    house_no,
    address,
    village_code,
    grid_code,
    located_by,
    is_latest,
    source_id,
    entity,
    record_id,
    role,
    match_method,
    match_probability,
    observed_at,
    _delivery_id
from final
