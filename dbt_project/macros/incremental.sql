{#-
  Incremental by input: a model that is a union of parts, each computed from its own raw tables (the mentions of
  people and organisations: one part per generic system's raw table, one per role of a hand-staged entity's
  `mentions:` block), keeps each part until its tables' deliveries change, and recomputes only the parts whose tables
  did. A day's refresh brings deliveries for a handful of the district's systems; the other parts are kept as they are.

  What a part was built from is the table's delivery fingerprint (raw._delivery_fingerprints, zhongtai.bookkeeping:
  a new, replayed or quarantined delivery changes it). After each build the model remembers every fingerprint beside
  itself (<model>__inputs) with its `code`, a digest the generator writes from the model's text, the sources YAML and
  the project's macros. A changed code, a missing table of fingerprints, or a first build: everything is recomputed,
  as a rebuild would. So a part is exactly what a full build would make of its tables, as long as each part depends on
  its own tables alone (the generic union's windows partition by source and entity). A part computed by a hand-written
  model (a `mentions:` block's model) is keyed by its rows' source and entity; its tables are the raw sources that
  model reads, found in dbt's graph through every model between them (model_inputs). A model that also reads anything
  else that can change without a delivery (a source outside raw, such as resolution's links; an incremental model) has
  no such set, and its part is recomputed on every run.

  The model's own config: materialized incremental (on DuckDB; on Spark a table, rebuilt each run), the append
  strategy, pre_hook forget_changed_inputs(code, models), post_hook remember_inputs(code), and each part filtered by
  input_wanted(source_id, entity, changed), or model_wanted(model, changed) for a hand-written model's part, where
  changed = changed_inputs(code) and models maps each such part ('source_id.entity') to its model.
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

{#- The raw tables ('source_id.entity') model `name` reads, through every model between them; none when it also
    reads a source outside raw or an incremental model, whose rows change without a delivery. Seeds are part of the
    code (the generator digests the whole project). -#}
{% macro model_inputs(name) -%}
    {%- set walk = namespace(frontier=['model.' ~ project_name ~ '.' ~ name], seen=[], inputs=[]) -%}
    {%- for depth in range(100) if walk.frontier -%}
        {%- set parents = [] -%}
        {%- for unique_id in walk.frontier if unique_id not in walk.seen -%}
            {%- do walk.seen.append(unique_id) -%}
            {%- if unique_id in graph.sources -%}
                {%- set source = graph.sources[unique_id] -%}
                {%- if source.schema != 'raw' -%}
                    {{ return(none) }}
                {%- endif -%}
                {%- do walk.inputs.append(source.source_name ~ '.' ~ source.name) -%}
            {%- elif unique_id in graph.nodes and graph.nodes[unique_id].resource_type == 'seed' -%}
            {%- elif unique_id in graph.nodes and graph.nodes[unique_id].resource_type == 'model'
                and graph.nodes[unique_id].config.materialized != 'incremental' -%}
                {%- for parent in graph.nodes[unique_id].depends_on.nodes -%}
                    {%- do parents.append(parent) -%}
                {%- endfor -%}
            {%- else -%}
                {{ return(none) }}
            {%- endif -%}
        {%- endfor -%}
        {%- set walk.frontier = parents -%}
    {%- endfor -%}
    {{ return(walk.inputs | unique | sort) }}
{%- endmacro %}

{#- Whether the part computed by hand-written model `name` is to be recomputed (see input_wanted). -#}
{% macro model_changed(name, changed) -%}
    {%- if changed is none -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set inputs = model_inputs(name) -%}
    {{ return(inputs is none or (inputs | select('in', changed) | list | length) > 0) }}
{%- endmacro %}

{#- input_wanted for the part computed by hand-written model `name`. -#}
{% macro model_wanted(name, changed) -%}
    {{- 'true' if model_changed(name, changed) else 'false' -}}
{%- endmacro %}

{#- Pre-hook: delete the parts about to be recomputed (all of them when changed_inputs says none): the raw tables'
    parts that changed, and the parts of `models` ('source_id.entity' -> hand-written model) whose model changed. -#}
{% macro forget_changed_inputs(code, models={}) -%}
    {%- if execute and is_incremental() -%}
        {%- set changed = changed_inputs(code) -%}
        delete from {{ this }}
        {%- if changed is not none %}
        {%- set parts = changed | list -%}
        {%- for part, name in models | dictsort if model_changed(name, changed) -%}
            {%- do parts.append(part) -%}
        {%- endfor %}
        where source_id || '.' || entity in ({% for part in parts | unique %}'{{ part }}'{{ ', ' if not loop.last }}{% endfor %}{{ "''" if not parts }})
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
