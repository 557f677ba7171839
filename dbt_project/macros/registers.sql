{#-
  The district registers (int_mention_registers, generated from the registry's `district_register` of a
  mention role): rules that read or prefer the household, enterprise or grid-population register join them
  with this condition, never with a source id.
-#}
{% macro in_register(register_alias, mentions, kind, register) -%}
    {{ register_alias }}.source_id = {{ mentions }}.source_id
        and {{ register_alias }}.entity = {{ mentions }}.entity
        and {{ register_alias }}.role = {{ mentions }}.role
        and {{ register_alias }}.kind = '{{ kind }}'
        and {{ register_alias }}.district_register = '{{ register }}'
{%- endmacro %}
