-- Survivorship: of every non-null value of every golden attribute offered by a resolved mention, the one that survives
-- for each person and attribute, ranked by validity, the attribute's source priority (seed person_attribute_priority),
-- then recency, then how the mention was matched; its source, record and delivery are its provenance. Only the
-- survivors are kept (5.6 M rows at the district, of 40 M candidates); every reader wanted those alone.
-- Corrections the villages sent and the owning department accepted are evidence too (int_village_verified_attributes),
-- ranked by the priority their registry entry's `evidence:` block gives (int_evidence_sources) where the seed names
-- nothing for their source.
-- One ranking per attribute, their survivors put together: each window sorts one attribute's candidates (at most one
-- per mention) instead of every attribute's at once, which at the district spilled past the warehouse's memory limit.
-- One aggregate per attribute instead of the window (min_by over a struct of the ranking's keys) was tried: alone at
-- the district it took 15.9 s where the window takes 26 s, but its states, a struct of strings per person, do not spill,
-- and it ran out of the warehouse's 4 GB.

{%- set attributes = ['name', 'sex', 'birth_date', 'phone', 'address', 'village_code', 'household_no'] %}
{#- a value that fails its own format check only wins when nothing better is offered -#}
{%- set validity = {
    'phone': "(length(candidates.value) = 11 and substr(candidates.value, 1, 1) = '1')",
    'sex': "candidates.value in ('M', 'F')",
} %}
{%- set text = dbt.type_string() %}
{#- where a candidate comes from: the survivor's provenance -#}
{%- set provenance = 'source_id, entity, record_id, role, match_method, observed_at, _delivery_id' %}

{% for attribute in attributes %}
{{- 'union all' if not loop.first }}
select resolved_id_number, attribute, value, {{ provenance }}, source_priority, is_valid
from (
    select
        valued.*,
        row_number() over (
            partition by resolved_id_number
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
    from (
        select
            candidates.*,
            coalesce(priority.priority, evidence.priority, 99) as source_priority,
            {{ validity.get(attribute, 'true') }} as is_valid
        from (
            select resolved_id_number, '{{ attribute }}' as attribute, cast({{ attribute }} as {{ text }}) as value,
                {{ provenance }}
            from {{ ref('int_person_mentions_resolved') }}
            where resolved_id_number is not null
                and {{ attribute }} is not null
            union all
            select resolved_id_number, attribute, value, {{ provenance }}
            from {{ ref('int_village_verified_attributes') }}
            where attribute = '{{ attribute }}'
        ) as candidates
        left join {{ ref('person_attribute_priority') }} as priority
            on priority.attribute = '{{ attribute }}'
            and candidates.source_id = priority.source_id
        left join {{ ref('int_evidence_sources') }} as evidence
            on candidates.source_id = evidence.source_id
            and candidates.entity = evidence.entity
    ) as valued
) as ranked
where survivor_rank = 1
{% endfor %}
