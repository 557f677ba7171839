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

{#- The source entities ('source_id.entity') whose deliveries changed since this model last remembered its inputs,
    or none when every part must be recomputed. -#}
{% macro changed_inputs(code) -%}
    {%- if not execute or not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set inputs = adapter.get_relation(this.database, this.schema, this.identifier ~ '__inputs') -%}
    {%- set fingerprints = adapter.get_relation(this.database, 'raw', '_delivery_fingerprints') -%}
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
    {%- if execute and target.type != 'spark'
        and adapter.get_relation(this.database, 'raw', '_delivery_fingerprints') is not none -%}
        create or replace table {{ this.incorporate(path={'identifier': this.identifier ~ '__inputs'}) }} as
        select source_id || '.' || entity as input, fingerprint, '{{ code }}' as code
        from raw._delivery_fingerprints
    {%- endif -%}
{%- endmacro %}

{#-
  Incremental by person: a model whose rows are computed per person, each from that person's rows of its inputs and
  from whole small tables (rankings, priorities), recomputes only the persons whose input rows changed. A day's
  refresh touches few of the district's people; the others keep their rows.

  Each run digests every person's input rows (the sum of a hash of each row's columns that matter, an
  order-independent digest) into <model>__digests; the persons whose digest differs from the one remembered in
  <model>__inputs, or who appear or vanish, are <model>__touched. The model's rows of those persons are deleted, and
  the model computes its rows for them alone (filter with `persons_touched()` where `touched_persons_only(rankings)`).
  The `context`, a digest of the model's own code and of the whole `rankings` tables, is remembered too: when it
  changed, or on a first build, every person is recomputed. The model must compute each person from that person's
  input rows alone (its windows partition by person).

  `inputs`: a list of {'relation': ref(...), 'where': condition, 'columns': [...]}, each relation with a
  resolved_id_number column; `rankings`: a list of relations read whole.
-#}

{#- The digest of the model's code and of the content of the `rankings` tables. -#}
{% macro person_context(rankings) -%}
    {%- set parts = [local_md5(model.raw_code)] -%}
    {%- for ranking in rankings -%}
        {%- set digest = run_query('select cast(coalesce(sum(hash(r)), 0) as varchar) from ' ~ ranking ~ ' as r') -%}
        {%- do parts.append(digest.rows[0][0]) -%}
    {%- endfor -%}
    {{ return(local_md5(parts | join('|'))) }}
{%- endmacro %}

{#- Whether this run recomputes only the touched persons: incremental, with a remembered state made in the same
    context. -#}
{% macro touched_persons_only(rankings) -%}
    {%- if not execute or not is_incremental() -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set inputs = adapter.get_relation(this.database, this.schema, this.identifier ~ '__inputs') -%}
    {%- if inputs is none -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set context = person_context(rankings) -%}
    {%- set kept = run_query("select count(*), count(*) filter (where context = '" ~ context ~ "') from " ~ inputs) -%}
    {{ return(kept.rows[0][0] > 0 and kept.rows[0][0] == kept.rows[0][1]) }}
{%- endmacro %}

{% macro person_state(name) -%}
    {{ return(this.incorporate(path={'identifier': this.identifier ~ '__' ~ name})) }}
{%- endmacro %}

{#- The persons to recompute, for the model's filter: `resolved_id_number in ({{ persons_touched() }})`. -#}
{% macro persons_touched() -%}
    select resolved_id_number from {{ person_state('touched') }}
{%- endmacro %}

{#- Pre-hook: digest every person's input rows, find the touched persons and delete their rows (all rows when every
    person is recomputed). -#}
{% macro find_touched_persons(inputs, rankings) -%}
    {%- if execute and target.type != 'spark' -%}
        {%- set digests -%}
            create or replace table {{ person_state('digests') }} as
            select resolved_id_number, sum(row_digest) as digest
            from (
                {%- for input in inputs %}
                select resolved_id_number, hash('{{ loop.index }}', {{ input.columns | join(', ') }}) as row_digest
                from {{ input.relation }}
                where {{ input.where }}
                {{- '\n                union all' if not loop.last }}
                {%- endfor %}
            ) as input_rows
            group by resolved_id_number
        {%- endset -%}
        {%- do run_query(digests) -%}
        {%- if touched_persons_only(rankings) -%}
            {%- set touched -%}
                create or replace table {{ person_state('touched') }} as
                select coalesce(now.resolved_id_number, before.resolved_id_number) as resolved_id_number
                from {{ person_state('digests') }} as now
                full outer join {{ person_state('inputs') }} as before
                    on before.resolved_id_number = now.resolved_id_number
                where now.digest is distinct from before.digest
            {%- endset -%}
            {%- do run_query(touched) -%}
            {%- do run_query('delete from ' ~ this ~ ' where resolved_id_number in (' ~ persons_touched() ~ ')') -%}
        {%- elif is_incremental() -%}
            {%- do run_query('delete from ' ~ this) -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- Post-hook: remember each person's digest and the context they were computed in. -#}
{% macro remember_person_digests(rankings) -%}
    {%- if execute and target.type != 'spark' -%}
        {%- set context = person_context(rankings) -%}
        {%- do run_query(
            'create or replace table ' ~ person_state('inputs') ~ ' as select resolved_id_number, digest, '
            ~ "'" ~ context ~ "' as context from " ~ person_state('digests')
        ) -%}
        {%- do run_query('drop table ' ~ person_state('digests')) -%}
        {%- do run_query('drop table if exists ' ~ person_state('touched')) -%}
    {%- endif -%}
{%- endmacro %}
