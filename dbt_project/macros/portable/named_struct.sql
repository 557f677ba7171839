{#- A struct of named fields, `fields` a mapping of name to expression (in order), or a list of columns each kept
    under its own name. DuckDB writes it struct_pack(),
    Spark named_struct(). Two structs compare field by field, so a struct of sort keys orders rows as a multi-column
    `order by` does, and min_by(struct of a row's columns, struct of its sort keys) picks a group's first row in one
    aggregate, where a window would sort the whole input. -#}
{% macro named_struct(fields) -%}
    {{ return(adapter.dispatch('named_struct')(fields)) }}
{%- endmacro %}

{% macro duckdb__named_struct(fields) -%}
    struct_pack({% for name in fields %}{{ name }} := {{ fields[name] if fields is mapping else name }}{{ ', ' if not loop.last }}{% endfor %})
{%- endmacro %}

{% macro spark__named_struct(fields) -%}
    named_struct({% for name in fields %}'{{ name }}', {{ fields[name] if fields is mapping else name }}{{ ', ' if not loop.last }}{% endfor %})
{%- endmacro %}
