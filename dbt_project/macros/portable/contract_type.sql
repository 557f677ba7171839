{#- A contract's column types, written once in the models' YAML as DuckDB names them (varchar, integer, timestamp with
    time zone), checked on Spark in Spark's names: its parser rejects `varchar` without a length and `timestamp with
    time zone`. dbt checks a contract by casting NULL to each declared type (get_empty_schema_sql) and comparing the
    result's column types with the model's; on Spark the declared types are translated first. -#}
{% macro contract_type(data_type) -%}
    {{ return(adapter.dispatch('contract_type')(data_type)) }}
{%- endmacro %}

{% macro default__contract_type(data_type) -%}
    {{ return(data_type) }}
{%- endmacro %}

{% macro spark__contract_type(data_type) -%}
    {%- set spark_names = {
        'varchar': 'string', 'text': 'string', 'integer': 'int',
        'timestamp with time zone': 'timestamp', 'timestamptz': 'timestamp',
    } -%}
    {%- set name = data_type | trim | lower -%}
    {{ return(spark_names.get(name, name)) }}
{%- endmacro %}

{#- dbt's own contract check on Spark, with each declared type translated by contract_type. -#}
{% macro spark__get_empty_schema_sql(columns) -%}
    {%- set translated = {} -%}
    {%- for name in columns -%}
        {%- set column = dict(columns[name]) -%}
        {%- if column.get('data_type') is not none -%}
            {%- do column.update({'data_type': contract_type(column['data_type'])}) -%}
        {%- endif -%}
        {%- do translated.update({name: column}) -%}
    {%- endfor -%}
    {{ return(dbt.default__get_empty_schema_sql(translated)) }}
{%- endmacro %}
