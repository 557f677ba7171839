{#-
  Helpers shared by the staging models: which raw rows are current, and how free text,
  phones and sex codes are standardised.
-#}

{#-
  Current rows of raw table `source_name`.`table_name` (append-only, every delivery kept), read from the
  source itself. The delivery mode and primary key come from the registry through the generated sources
  YAML, so a staging model never restates them:
  - snapshot: only the latest delivery (max _received_at) counts; within it a primary key
    repeated in the file keeps its last line (rows without a key are all kept);
  - incremental: the latest version of each primary key (latest _received_at, then last line).
  The generated mentions (catalog/dbt_sources.py) apply the same rule to a union of tables
  with delivery_rule, version_key and version_order.
  The macro reads the source twice (the rows, and a snapshot's latest delivery) rather than a CTE of
  the caller's: a CTE named twice is materialised by DuckDB, every snapshot ever delivered with all its
  columns (hukou's current rows at the district: 11-14 s over 16 snapshots, 4.3 s read this way).
-#}
{% macro deduplicate(source_name, table_name) -%}
    {%- set raw = source(source_name, table_name) %}
    select *
    from (
        select
            raw_rows.*,
            row_number() over (
                partition by {{ version_key(source_name, table_name) }}
                order by {{ version_order() }}
            ) as _version_rank
        from {{ raw }} as raw_rows
        {%- if delivery_rule(source_name, table_name).snapshot %}
        where _received_at = (select max(_received_at) from {{ raw }})
        {%- endif %}
    ) as versions
    where _version_rank = 1
{%- endmacro %}

{#- A raw table's delivery mode and primary key, from the generated sources YAML:
    {'snapshot': bool, 'key': [columns]}. -#}
{% macro delivery_rule(source_name, table_name) -%}
    {%- if execute -%}
        {%- set node = graph.sources['source.' ~ project_name ~ '.' ~ source_name ~ '.' ~ table_name] -%}
        {{ return({'snapshot': node.meta['delivery_mode'] == 'snapshot', 'key': node.meta['primary_key']}) }}
    {%- else -%}
        {{ return({'snapshot': false, 'key': ['_line']}) }}
    {%- endif -%}
{%- endmacro %}

{#- What makes two raw rows versions of one record: the primary key as text; in a snapshot a
    row without a key is a record of its own (its line). -#}
{% macro version_key(source_name, table_name) -%}
    {%- set rule = delivery_rule(source_name, table_name) -%}
    {%- set text = dbt.type_string() -%}
    {%- set key -%}
        cast({{ rule.key | join(' as ' ~ text ~ ") || '|' || cast(") }} as {{ text }})
    {%- endset -%}
    {%- if rule.snapshot -%}
        coalesce({{ key }}, '#' || cast(_line as {{ text }}))
    {%- else -%}
        {{ key }}
    {%- endif -%}
{%- endmacro %}

{#- The current version first: the latest delivery, then the last line of the file (within a
    snapshot's one delivery, the last line). -#}
{% macro version_order() -%}
    _received_at desc, _line desc
{%- endmacro %}

{#- Trimmed text, full-width spaces removed; empty becomes null. -#}
{% macro clean_name(expr) -%}
    nullif({{ trim_spaces('replace(' ~ expr ~ ', ' ~ unicode_char(12288) ~ ", '')") }}, '')
{%- endmacro %}

{% macro clean_text(expr) -%}
    nullif({{ trim_spaces(expr) }}, '')
{%- endmacro %}

{#- Digits only (full-width digits kept as ASCII); a leading +86 country code is dropped. -#}
{% macro clean_phone(expr) -%}
    {%- set ascii -%}translate({{ expr }}, '０１２３４５６７８９', '0123456789'){%- endset -%}
    {%- set digits -%}translate({{ ascii }}, translate({{ ascii }}, '0123456789', ''), ''){%- endset -%}
    nullif(case when length({{ digits }}) = 13 and substr({{ digits }}, 1, 2) = '86'
                then substr({{ digits }}, 3) else {{ digits }} end, '')
{%- endmacro %}

{#- M or F from the codes the source systems use (男/女, M/F, 1/2 as in GB/T 2261.1); else null. -#}
{% macro standard_sex(expr) -%}
    (case
        when upper({{ trim_spaces(expr) }}) in ('M', 'MALE', '男', '男性', '1') then 'M'
        when upper({{ trim_spaces(expr) }}) in ('F', 'FEMALE', '女', '女性', '2') then 'F'
    end)
{%- endmacro %}

{#- The three standard columns of an identifier field: <column>_raw, <column> (normalised, null
    when invalid) and <column>_reason (null when valid). Expects <column>_clean, computed with
    clean_identifier() in an earlier CTE, so the long check expressions stay readable. -#}
{% macro citizen_id_columns(column) -%}
    {{ column }} as {{ column }}_raw,
    {{ normalise_citizen_id(column ~ '_clean', cleaned=true) }} as {{ column }},
    {{ citizen_id_reason(column ~ '_clean', cleaned=true) }} as {{ column }}_reason
{%- endmacro %}

{% macro uscc_columns(column) -%}
    {{ column }} as {{ column }}_raw,
    {{ normalise_uscc(column ~ '_clean', cleaned=true) }} as {{ column }},
    {{ uscc_reason(column ~ '_clean', cleaned=true) }} as {{ column }}_reason
{%- endmacro %}
