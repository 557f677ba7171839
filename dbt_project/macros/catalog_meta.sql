{#- Catalog facts are written once, in the marts' YAML meta: refuse to build when any is missing.
    Run as `on-run-start`, so `dbt build` (by hand or from Dagster) stops before it touches a table,
    naming every model and column at fault. Contracts make sure a column added in SQL is in YAML too.
    An ephemeral model (a query marts beside it share) is no table and no dataset: catalog/datasets.py skips it too. -#}
{% macro check_catalog_meta() %}
    {%- if execute -%}
        {%- set model_required = ['title', 'open_level', 'security_grade', 'owner_department', 'primary_key'] -%}
        {%- set field_classes = ['direct_identifier', 'quasi_identifier', 'sensitive', 'plain'] -%}
        {%- set problems = [] -%}
        {%- for node in graph.nodes.values()
            if node.resource_type == 'model' and 'marts' in node.fqn[1:-1]
                and node.config.materialized != 'ephemeral' -%}
            {%- set meta = {} -%}
            {%- do meta.update(node.meta or {}) -%}
            {%- do meta.update(node.config.meta or {}) -%}
            {%- for key in model_required if not meta.get(key) -%}
                {%- do problems.append(node.name ~ ': model meta `' ~ key ~ '` is missing') -%}
            {%- endfor -%}
            {%- if not node.columns -%}
                {%- do problems.append(node.name ~ ': no documented columns') -%}
            {%- endif -%}
            {%- for column in node.columns.values() -%}
                {%- set col_meta = {} -%}
                {%- do col_meta.update(column.meta or {}) -%}
                {%- do col_meta.update((column.config or {}).get('meta') or {}) -%}
                {%- if col_meta.get('field_class') not in field_classes -%}
                    {%- do problems.append(node.name ~ '.' ~ column.name ~ ': column meta `field_class` is '
                        ~ ('missing' if not col_meta.get('field_class') else 'not one of ' ~ field_classes | join(', '))) -%}
                {%- endif -%}
                {%- if not col_meta.get('title') -%}
                    {%- do problems.append(node.name ~ '.' ~ column.name ~ ': column meta `title` is missing') -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endfor -%}
        {%- if problems -%}
            {{ exceptions.raise_compiler_error(
                'catalog facts missing in marts YAML meta (' ~ problems | length ~ '):\n  - ' ~ problems | join('\n  - ')) }}
        {%- endif -%}
    {%- endif -%}
    select 1
{% endmacro %}
