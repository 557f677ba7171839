-- Survivorship: of every non-null value of every golden attribute offered by a resolved mention, the one that survives
-- for each person and attribute, ranked by validity, the attribute's source priority (seed person_attribute_priority),
-- then recency, then how the mention was matched; its source, record and delivery are its provenance. Only the
-- survivors are kept (7.6 M rows at the district, of 40 M candidates); every reader wanted those alone.
-- Corrections the villages sent and the owning department accepted are evidence too (int_village_verified_attributes),
-- ranked by the priority their registry entry's `evidence:` block gives (int_evidence_sources) where the seed names
-- nothing for their source.
-- One ranking per attribute, their survivors put together. The ranking is one number per candidate (rank_key:
-- validity, priority, recency and match method packed into a decimal(38, 0), smaller is better), so each person's best
-- is a min() in a hash aggregate rather than a sort of every candidate; only the candidates tied on that number (most
-- persons have one) are then sorted by the last keys, source, entity, record and role. The candidates are written out
-- twice (for the min and for the join) rather than shared as a CTE, which DuckDB materialised at a higher cost than
-- reading them twice. At the district: the same 7.6 M survivors in 15 s of wall time and 30 s of CPU, where a window
-- over every candidate took 25 s and 46 s (the select alone), and 27 s where it took 43 s as a table. min_by over a
-- struct of the ranking's keys was tried before: as fast, but its states, a struct of strings per person, do not
-- spill, and it ran out of the warehouse's 4 GB.

{%- set attributes = ['name', 'sex', 'birth_date', 'phone', 'address', 'village_code', 'household_no'] %}
{#- a value that fails its own format check only wins when nothing better is offered -#}
{%- set validity = {
    'phone': "(length(candidates.value) = 11 and substr(candidates.value, 1, 1) = '1')",
    'sex': "candidates.value in ('M', 'F')",
} %}
{%- set text = dbt.type_string() %}
{#- where a candidate comes from: the survivor's provenance -#}
{%- set provenance = 'source_id, entity, record_id, role, match_method, observed_at, _delivery_id' %}
{#- the packed ranking's places, highest first: validity (0 valid, 1 not); the source priority, an integer, plus 2^31
    (so any 32-bit priority, negative ones too, takes 10 digits and keeps its order); 10^19 minus the microseconds
    since the epoch (a later observation is smaller; none at all is largest); the match method (0 for a valid ID
    number of the mention's own). 32 digits in all. -#}
{%- set big = 'decimal(38, 0)' %}

{% for attribute in attributes %}
{%- set candidates %}
    select
        valued.*,
        ((cast(case when is_valid then 0 else 1 end as {{ big }}) * 10000000000
                + cast(source_priority as {{ big }}) + 2147483648)
            * cast(100000000000000000000 as {{ big }})
            + coalesce(
                cast(10000000000000000000 as {{ big }}) - {{ epoch_microseconds('observed_at') }},
                cast(99999999999999999999 as {{ big }})
            )) * 10
            + case when match_method = 'deterministic_id' then 0 else 1 end as rank_key
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
{%- endset %}
{{- 'union all' if not loop.first }}
select resolved_id_number, attribute, value, {{ provenance }}, source_priority, is_valid
from (
    select
        candidates.*,
        row_number() over (
            partition by candidates.resolved_id_number
            order by candidates.source_id, candidates.entity, candidates.record_id, candidates.role
        ) as tie_rank
    from ({{ candidates }}) as candidates
    inner join (
        select resolved_id_number, min(rank_key) as rank_key
        from ({{ candidates }}) as keyed
        group by resolved_id_number
    ) as best
        on candidates.resolved_id_number = best.resolved_id_number
        and candidates.rank_key = best.rank_key
) as survivors
where tie_rank = 1
{% endfor %}
