{#- A source, as `{{ source() }}` names it. On DuckDB, and on Spark when no folder is given, the warehouse's (or the
    catalog's) table of that schema and name. On Spark with ZHONGTAI_SPARK_SOURCES set (the pipeline sets it,
    orchestration/engines/spark.py), the Parquet files the pipeline wrote for that table, read in place
    (`parquet.`<folder>/<schema>/<name>``): the raw layer as the loader committed it and entity resolution's links,
    never a copy registered in the catalog that could fall behind them. -#}
{% macro source(source_name, table_name) %}
    {%- set relation = builtins.source(source_name, table_name) -%}
    {%- set folder = env_var('ZHONGTAI_SPARK_SOURCES', '') -%}
    {%- if target.type == 'spark' and folder -%}
        {%- do return(api.Relation.create(
            schema='parquet', identifier=folder ~ '/' ~ relation.schema ~ '/' ~ relation.identifier,
            quote_policy={'schema': false, 'identifier': true})) -%}
    {%- endif -%}
    {%- do return(relation) -%}
{% endmacro %}
