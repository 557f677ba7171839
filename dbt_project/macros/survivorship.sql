{#- What int_person_attribute_survivors computes each person from (macros/incremental.sql, incremental by person):
    the columns of their resolved mentions and accepted village corrections it reads, and the tables of priorities it
    reads whole. -#}
{% macro survivorship_inputs() -%}
    {%- set provenance = ['source_id', 'entity', 'record_id', 'role', 'match_method', 'observed_at', '_delivery_id'] -%}
    {{ return([
        {
            'relation': ref('int_person_mentions_resolved'),
            'where': 'resolved_id_number is not null',
            'columns': survivorship_attributes() + provenance,
        },
        {
            'relation': ref('int_village_verified_attributes'),
            'where': 'resolved_id_number is not null',
            'columns': ['attribute', 'value'] + provenance,
        },
    ]) }}
{%- endmacro %}

{% macro survivorship_rankings() -%}
    {{ return([ref('person_attribute_priority'), ref('int_evidence_sources')]) }}
{%- endmacro %}

{#- The golden attributes survivorship decides, in order. -#}
{% macro survivorship_attributes() -%}
    {{ return(['name', 'sex', 'birth_date', 'phone', 'address', 'village_code', 'household_no']) }}
{%- endmacro %}
