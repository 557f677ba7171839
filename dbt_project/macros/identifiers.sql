{#-
  Citizen ID numbers (GB 11643) and unified social credit codes (GB 32100) in plain SQL.

  The rules and reason codes are those of zhongtai/identifiers.py, and
  tests/integration/test_dbt_identifier_macros.py holds the two together. Only substr,
  position, translate, length, case and integer arithmetic are used, and the whitespace
  characters come from unicode_char (portable/), so the expressions run on DuckDB, Spark
  and Trino (tests/integration/test_portable_macros.py checks DuckDB against Spark).
  Every macro takes a SQL expression and
  returns a SQL expression. The expressions are long; pass cleaned=true with an expression
  that is already clean_identifier(...) (a column of an earlier CTE) to keep them short.
-#}

{#- Full-width letters and digits become ASCII; every character Python's str.split() treats as
    whitespace is removed (translate drops characters of `from` that have no partner in `to`). -#}
{% macro clean_identifier(expr) -%}
    {%- set full_width = "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ" -%}
    {%- set ascii = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" -%}
    {%- set whitespace = [9, 10, 11, 12, 13, 28, 29, 30, 31, 32, 133, 160, 5760] + range(8192, 8203) | list + [8232, 8233, 8239, 8287, 12288] -%}
    upper(translate(coalesce(cast({{ expr }} as {{ dbt.type_string() }}), ''), '{{ full_width }}'{% for c in whitespace %} || {{ unicode_char(c) }}{% endfor %}, '{{ ascii }}'))
{%- endmacro %}

{#- The value (0-9) of the digit at 1-based position i, -1 when it is not a digit; never fails. -#}
{% macro _digit(s, i) -%}
    (position(substr({{ s }}, {{ i }}, 1) in '0123456789') - 1)
{%- endmacro %}

{% macro _citizen_id_check_char(weighted_sum) -%}
    substr('10X98765432', ({{ weighted_sum }}) % 11 + 1, 1)
{%- endmacro %}

{#- Weighted sum of the 17 body digits: of s itself (18 characters) or of s with '19' inserted (15). -#}
{% macro _citizen_id_sum18(s) -%}
    {%- set weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] -%}
    {%- for w in weights %}{{ _digit(s, loop.index) }} * {{ w }}{% if not loop.last %} + {% endif %}{% endfor -%}
{%- endmacro %}

{% macro _citizen_id_sum15(s) -%}
    {%- set weights = [7, 9, 10, 5, 8, 4, 6, 3, 7, 9, 10, 5, 8, 4, 2] -%}
    {%- for w in weights %}{{ _digit(s, loop.index) }} * {{ w }} + {% endfor %}11
{%- endmacro %}

{#- Birth year, month and day of a 15- or 18-character number whose body is all digits. -#}
{% macro _citizen_id_year(s) -%}
    (case when length({{ s }}) = 15 then 1900 + {{ _digit(s, 7) }} * 10 + {{ _digit(s, 8) }}
          else {{ _digit(s, 7) }} * 1000 + {{ _digit(s, 8) }} * 100 + {{ _digit(s, 9) }} * 10 + {{ _digit(s, 10) }} end)
{%- endmacro %}

{% macro _citizen_id_month(s) -%}
    (case when length({{ s }}) = 15 then {{ _digit(s, 9) }} * 10 + {{ _digit(s, 10) }}
          else {{ _digit(s, 11) }} * 10 + {{ _digit(s, 12) }} end)
{%- endmacro %}

{% macro _citizen_id_day(s) -%}
    (case when length({{ s }}) = 15 then {{ _digit(s, 11) }} * 10 + {{ _digit(s, 12) }}
          else {{ _digit(s, 13) }} * 10 + {{ _digit(s, 14) }} end)
{%- endmacro %}

{#- Reason the value is not a valid citizen ID number (see IdReason), or null when it is valid. -#}
{% macro citizen_id_reason(expr, cleaned=false) -%}
    {%- set s = expr if cleaned else clean_identifier(expr) -%}
    {%- set y = _citizen_id_year(s) -%}
    {%- set m = _citizen_id_month(s) -%}
    {%- set d = _citizen_id_day(s) -%}
    (case
        when {{ s }} = '' then 'missing'
        when length({{ s }}) not in (15, 18) then 'bad_length'
        when (length({{ s }}) = 15 and translate({{ s }}, '0123456789', '') <> '')
          or (length({{ s }}) = 18 and (translate(substr({{ s }}, 1, 17), '0123456789', '') <> ''
                                       or translate(substr({{ s }}, 18, 1), '0123456789X', '') <> ''))
            then 'bad_character'
        when substr({{ s }}, 1, 1) = '0' or substr({{ s }}, 3, 4) = '0000' then 'bad_area'
        when not (
            {{ m }} between 1 and 12
            and {{ d }} >= 1
            and {{ d }} <= case
                when {{ m }} in (1, 3, 5, 7, 8, 10, 12) then 31
                when {{ m }} in (4, 6, 9, 11) then 30
                when ({{ y }} % 4 = 0 and {{ y }} % 100 <> 0) or {{ y }} % 400 = 0 then 29
                else 28 end
            and {{ y }} >= 1880
            and {{ y }} * 10000 + {{ m }} * 100 + {{ d }}
                <= extract(year from current_date) * 10000 + extract(month from current_date) * 100 + extract(day from current_date)
        ) then 'bad_birth_date'
        when length({{ s }}) = 18 and {{ _citizen_id_check_char(_citizen_id_sum18(s)) }} <> substr({{ s }}, 18, 1)
            then 'bad_check'
    end)
{%- endmacro %}

{#- The normalised 18-character number (15-digit numbers converted), or null when invalid. -#}
{% macro normalise_citizen_id(expr, cleaned=false) -%}
    {%- set s = expr if cleaned else clean_identifier(expr) -%}
    (case when {{ citizen_id_reason(s, cleaned=true) }} is null then
        case when length({{ s }}) = 15
            then substr({{ s }}, 1, 6) || '19' || substr({{ s }}, 7, 9) || {{ _citizen_id_check_char(_citizen_id_sum15(s)) }}
            else {{ s }} end
    end)
{%- endmacro %}

{#- Birth date and sex carried by a normalised (valid, 18-character) number. -#}
{% macro citizen_id_birth_date(normalised) -%}
    cast(substr({{ normalised }}, 7, 4) || '-' || substr({{ normalised }}, 11, 2) || '-' || substr({{ normalised }}, 13, 2) as date)
{%- endmacro %}

{% macro citizen_id_sex(normalised) -%}
    (case when {{ normalised }} is not null then case when {{ _digit(normalised, 17) }} % 2 = 1 then 'M' else 'F' end end)
{%- endmacro %}

{#- Unified social credit code: reason it is invalid, or null when valid. -#}
{% macro uscc_reason(expr, cleaned=false) -%}
    {%- set s = expr if cleaned else clean_identifier(expr) -%}
    {%- set alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY" -%}
    {%- set org_alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ" -%}
    {%- set weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] -%}
    {%- set org_weights = [3, 7, 9, 10, 5, 8, 4, 2] -%}
    {%- set org_check -%}
        (11 - ({% for w in org_weights %}(position(substr({{ s }}, {{ loop.index + 8 }}, 1) in '{{ org_alphabet }}') - 1) * {{ w }}{% if not loop.last %} + {% endif %}{% endfor %}) % 11)
    {%- endset -%}
    (case
        when {{ s }} = '' then 'missing'
        when length({{ s }}) <> 18 then 'bad_length'
        when translate({{ s }}, '{{ alphabet }}', '') <> '' then 'bad_character'
        when translate(substr({{ s }}, 3, 6), '0123456789', '') <> '' then 'bad_area'
        when substr('{{ alphabet }}',
                    (31 - ({% for w in weights %}(position(substr({{ s }}, {{ loop.index }}, 1) in '{{ alphabet }}') - 1) * {{ w }}{% if not loop.last %} + {% endif %}{% endfor %}) % 31) % 31 + 1,
                    1) <> substr({{ s }}, 18, 1)
            then 'bad_check'
        when (case {{ org_check }} when 10 then 'X' when 11 then '0' else cast({{ org_check }} as {{ dbt.type_string() }}) end)
             <> substr({{ s }}, 17, 1)
            then 'bad_org_code_check'
    end)
{%- endmacro %}

{#- The normalised code (upper case, no spaces, ASCII), or null when invalid. -#}
{% macro normalise_uscc(expr, cleaned=false) -%}
    {%- set s = expr if cleaned else clean_identifier(expr) -%}
    (case when {{ uscc_reason(s, cleaned=true) }} is null then {{ s }} end)
{%- endmacro %}
