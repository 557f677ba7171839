{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='append_new_columns') }}
{{ type2_versions(ref('legal_person'), 'org_key',
    ['name', 'entity_type', 'legal_rep_person_key', 'legal_rep_name', 'registered_capital', 'address', 'village_code',
     'status']) }}
