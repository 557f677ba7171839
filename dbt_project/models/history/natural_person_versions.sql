{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='append_new_columns') }}
{{ type2_versions(ref('natural_person'), 'person_key',
    ['name', 'sex', 'birth_date', 'phone', 'household_no', 'village_code', 'address']) }}
