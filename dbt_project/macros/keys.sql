{#-
  Stable pseudonymous keys, the SQL twin of zhongtai/keys.py:
  first 24 hex characters of sha256(secret || '|' || kind || '|' || normalised identifier).
  A null identifier gives a null key. The secret comes from var('key_secret'), which reads
  ZHONGTAI_KEY_SECRET; it is therefore written into dbt's compiled SQL under target/.
-#}
{% macro pseudonym_key(kind, expr) -%}
    {%- set secret = var('key_secret') | string | replace("'", "''") -%}
    substr({{ sha256_hex("'" ~ secret ~ "|" ~ kind ~ "|' || " ~ expr) }}, 1, 24)
{%- endmacro %}

{#- A plain (unkeyed) hash for surrogate keys of non-personal records. -#}
{% macro surrogate_key(exprs) -%}
    substr({{ sha256_hex(exprs | join(" || '|' || ")) }}, 1, 24)
{%- endmacro %}
