-- Survivorship: of every non-null value of every golden attribute offered by a resolved mention, the one that survives
-- for each person and attribute, ranked by validity, the attribute's source priority (seed person_attribute_priority),
-- then recency, then how the mention was matched; its source, record and delivery are its provenance. Only the
-- survivors are kept (about one row in seven at the district: 40 M candidates, 5.6 M survivors); every reader wanted
-- those alone, and writing the rest cost most of the model's time.
-- Corrections the villages sent and the owning department accepted are evidence too (int_village_verified_attributes),
-- ranked by the priority their registry entry's `evidence:` block gives (int_evidence_sources) where the seed names
-- nothing for their source.

{%- set attributes = ['name', 'sex', 'birth_date', 'phone', 'address', 'village_code', 'household_no'] %}
{%- set text = dbt.type_string() %}

with

mentions as (
    select
        resolved_id_number,
        source_id,
        entity,
        record_id,
        role,
        match_method,
        observed_at,
        _delivery_id,
        name,
        sex,
        birth_date,
        phone,
        address,
        village_code,
        household_no
    from {{ ref('int_person_mentions_resolved') }}
    where resolved_id_number is not null
),

candidates as (
    {% for attribute in attributes %}
    select
        resolved_id_number,
        '{{ attribute }}' as attribute,
        cast({{ attribute }} as {{ text }}) as value,
        source_id,
        entity,
        record_id,
        role,
        match_method,
        observed_at,
        _delivery_id
    from mentions
    where {{ attribute }} is not null
    union all
    {% endfor %}
    select
        resolved_id_number,
        attribute,
        value,
        source_id,
        entity,
        record_id,
        role,
        match_method,
        observed_at,
        _delivery_id
    from {{ ref('int_village_verified_attributes') }}
    where attribute in ({% for attribute in attributes %}'{{ attribute }}'{% if not loop.last %}, {% endif %}{% endfor %})
),

valued as (
    select
        candidates.*,
        coalesce(priority.priority, evidence.priority, 99) as source_priority,
        -- a value that fails its own format check only wins when nothing better is offered
        case
            when candidates.attribute = 'phone' then (length(candidates.value) = 11 and substr(candidates.value, 1, 1) = '1')
            when candidates.attribute = 'sex' then candidates.value in ('M', 'F')
            else true
        end as is_valid
    from candidates
    left join {{ ref('person_attribute_priority') }} as priority
        on candidates.attribute = priority.attribute
        and candidates.source_id = priority.source_id
    left join {{ ref('int_evidence_sources') }} as evidence
        on candidates.source_id = evidence.source_id
        and candidates.entity = evidence.entity
),

ranked as (
    select
        valued.*,
        row_number() over (
            partition by resolved_id_number, attribute
            order by
                case when is_valid then 0 else 1 end,
                source_priority,
                observed_at desc,
                case when match_method = 'deterministic_id' then 0 else 1 end,
                source_id,
                entity,
                record_id,
                role
        ) as survivor_rank
    from valued
)

select
    resolved_id_number,
    attribute,
    value,
    source_id,
    entity,
    record_id,
    role,
    match_method,
    observed_at,
    _delivery_id,
    source_priority,
    is_valid
from ranked
where survivor_rank = 1
