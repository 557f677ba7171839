{#-
  The as-of date of the life-event lists, of credit publication windows and of the village population's ages, as a
  SQL date literal: var('as_of') when given (dbt --vars, or ZHONGTAI_AS_OF through dbt_project.yml), else the day
  the run happens (current_date). The sandbox's district is dated by truth/summary.json's as_of; tests set
  ZHONGTAI_AS_OF to it.
-#}
{% macro as_of_date() -%}
    {%- set as_of = var('as_of', '') | string | trim -%}
    {%- if as_of -%}
        cast('{{ as_of }}' as date)
    {%- else -%}
        current_date
    {%- endif -%}
{%- endmacro %}
