{#-
  Incremental by input: a model that is a union of one part per raw table (the generic staging of mentions) keeps
  each part until that table's deliveries change, and recomputes only the parts whose tables did. A day's refresh
  brings deliveries for a handful of the district's systems; the other parts are kept as they are.

  What a part was built from is the table's delivery fingerprint (raw._delivery_fingerprints, zhongtai.bookkeeping:
  a new, replayed or quarantined delivery changes it). After each build the model remembers every fingerprint beside
  itself (<model>__inputs) with its `code`, a digest the generator writes from the model's text, the sources YAML and
  the project's macros. A changed code, a missing table of fingerprints, or a first build: everything is recomputed,
  as a rebuild would. So a part is exactly what a full build would make of its table, as long as each part depends on
  its own table alone (the union's windows partition by source and entity).

  The model's own config: materialized incremental (on DuckDB; on Spark a table, rebuilt each run), the append
  strategy, pre_hook forget_changed_inputs(code), post_hook remember_inputs(code), and each part filtered by
  input_wanted(source_id, entity, changed) where changed = changed_inputs(code).
-#}

{#- raw._delivery_fingerprints (zhongtai.bookkeeping.DELIVERY_FINGERPRINTS, made with the ingestion tables), or none
    in a warehouse that has none (a rebuild before its first load, Spark). -#}
{% macro delivery_fingerprints() -%}
    {{ return(adapter.get_relation(this.database, 'raw', '_delivery_fingerprints')) }}
{%- endmacro %}

{#- The source entities ('source_id.entity') whose deliveries changed since this model last remembered its inputs,
    or none when every part must be recomputed. -#}
{% macro changed_inputs(code) -%}
    {%- if not execute or not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set inputs = adapter.get_relation(this.database, this.schema, this.identifier ~ '__inputs') -%}
    {%- set fingerprints = delivery_fingerprints() -%}
    {%- if inputs is none or fingerprints is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set compared -%}
        select
            coalesce(now.source_id || '.' || now.entity, before.input) as input,
            before.code is distinct from '{{ code }}' and before.input is not null as code_changed
        from {{ fingerprints }} as now
        full outer join {{ inputs }} as before
            on before.input = now.source_id || '.' || now.entity
        where now.fingerprint is distinct from before.fingerprint or before.code is distinct from '{{ code }}'
    {%- endset -%}
    {%- set rows = run_query(compared).rows -%}
    {%- for row in rows if row[1] -%}
        {{ return(none) }}
    {%- endfor -%}
    {{ return(rows | map(attribute=0) | list) }}
{%- endmacro %}

{#- `true` when the part of `source_id`.`entity` is to be computed, else `false`: rendered as a literal, so a part
    that is kept is not even scanned. -#}
{% macro input_wanted(source_id, entity, changed) -%}
    {{- 'true' if changed is none or (source_id ~ '.' ~ entity) in changed else 'false' -}}
{%- endmacro %}

{#- Pre-hook: delete the parts about to be recomputed (all of them when changed_inputs says none). -#}
{% macro forget_changed_inputs(code) -%}
    {%- if execute and is_incremental() -%}
        {%- set changed = changed_inputs(code) -%}
        delete from {{ this }}
        {%- if changed is not none %}
        where source_id || '.' || entity in ({% for input in changed %}'{{ input }}'{{ ', ' if not loop.last }}{% endfor %}{{ "''" if not changed }})
        {%- endif %}
    {%- endif -%}
{%- endmacro %}

{#- Post-hook: remember the fingerprints the model now reflects, and the code that made it. -#}
{% macro remember_inputs(code) -%}
    {%- set fingerprints = delivery_fingerprints() if execute and target.type != 'spark' else none -%}
    {%- if fingerprints is not none -%}
        create or replace table {{ this.incorporate(path={'identifier': this.identifier ~ '__inputs'}) }} as
        select source_id || '.' || entity as input, fingerprint, '{{ code }}' as code
        from {{ fingerprints }}
    {%- endif -%}
{%- endmacro %}
