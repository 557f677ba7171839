-- GENERATED from catalog/sources/*.yaml by `python -m catalog.dbt_sources`. Do not edit by hand.
-- Every source entity with `staging: generic` whose fields carry canonical attributes, staged the same way:
-- current rows (macro deduplicate), one row per organisation mentioned (fields grouped by their registry `role`),
-- free text cleaned and identifiers normalised with their reason. Columns are those of int_org_mentions.
{%- set text = dbt.type_string() %}

with
src__cg_enforcement_cases__records as (select * from {{ source('cg_enforcement_cases', 'records') }}),
cur__cg_enforcement_cases__records as ({{ deduplicate('src__cg_enforcement_cases__records', 'cg_enforcement_cases', 'records') }}),
src__cg_shop_signs__records as (select * from {{ source('cg_shop_signs', 'records') }}),
cur__cg_shop_signs__records as ({{ deduplicate('src__cg_shop_signs__records', 'cg_shop_signs', 'records') }}),
src__fy_dishonest_enterprises__records as (select * from {{ source('fy_dishonest_enterprises', 'records') }}),
cur__fy_dishonest_enterprises__records as ({{ deduplicate('src__fy_dishonest_enterprises__records', 'fy_dishonest_enterprises', 'records') }}),
src__gjj_fund_employers__records as (select * from {{ source('gjj_fund_employers', 'records') }}),
cur__gjj_fund_employers__records as ({{ deduplicate('src__gjj_fund_employers__records', 'gjj_fund_employers', 'records') }}),
src__jt_transport_operators__records as (select * from {{ source('jt_transport_operators', 'records') }}),
cur__jt_transport_operators__records as ({{ deduplicate('src__jt_transport_operators__records', 'jt_transport_operators', 'records') }}),
src__rs_employers__records as (select * from {{ source('rs_employers', 'records') }}),
cur__rs_employers__records as ({{ deduplicate('src__rs_employers__records', 'rs_employers', 'records') }}),
src__sj_abnormal_list__records as (select * from {{ source('sj_abnormal_list', 'records') }}),
cur__sj_abnormal_list__records as ({{ deduplicate('src__sj_abnormal_list__records', 'sj_abnormal_list', 'records') }}),
src__sj_annual_reports_nanzhuang__records as (select * from {{ source('sj_annual_reports_nanzhuang', 'records') }}),
cur__sj_annual_reports_nanzhuang__records as ({{ deduplicate('src__sj_annual_reports_nanzhuang__records', 'sj_annual_reports_nanzhuang', 'records') }}),
src__sj_annual_reports_shiwan__records as (select * from {{ source('sj_annual_reports_shiwan', 'records') }}),
cur__sj_annual_reports_shiwan__records as ({{ deduplicate('src__sj_annual_reports_shiwan__records', 'sj_annual_reports_shiwan', 'records') }}),
src__sj_annual_reports_zhangcha__records as (select * from {{ source('sj_annual_reports_zhangcha', 'records') }}),
cur__sj_annual_reports_zhangcha__records as ({{ deduplicate('src__sj_annual_reports_zhangcha__records', 'sj_annual_reports_zhangcha', 'records') }}),
src__sj_annual_reports_zumiao__records as (select * from {{ source('sj_annual_reports_zumiao', 'records') }}),
cur__sj_annual_reports_zumiao__records as ({{ deduplicate('src__sj_annual_reports_zumiao__records', 'sj_annual_reports_zumiao', 'records') }}),
src__sj_food_licences__records as (select * from {{ source('sj_food_licences', 'records') }}),
cur__sj_food_licences__records as ({{ deduplicate('src__sj_food_licences__records', 'sj_food_licences', 'records') }}),
src__sj_penalties__records as (select * from {{ source('sj_penalties', 'records') }}),
cur__sj_penalties__records as ({{ deduplicate('src__sj_penalties__records', 'sj_penalties', 'records') }}),
src__sj_sole_traders_nanzhuang__records as (select * from {{ source('sj_sole_traders_nanzhuang', 'records') }}),
cur__sj_sole_traders_nanzhuang__records as ({{ deduplicate('src__sj_sole_traders_nanzhuang__records', 'sj_sole_traders_nanzhuang', 'records') }}),
src__sj_sole_traders_shiwan__records as (select * from {{ source('sj_sole_traders_shiwan', 'records') }}),
cur__sj_sole_traders_shiwan__records as ({{ deduplicate('src__sj_sole_traders_shiwan__records', 'sj_sole_traders_shiwan', 'records') }}),
src__sj_sole_traders_zhangcha__records as (select * from {{ source('sj_sole_traders_zhangcha', 'records') }}),
cur__sj_sole_traders_zhangcha__records as ({{ deduplicate('src__sj_sole_traders_zhangcha__records', 'sj_sole_traders_zhangcha', 'records') }}),
src__sj_sole_traders_zumiao__records as (select * from {{ source('sj_sole_traders_zumiao', 'records') }}),
cur__sj_sole_traders_zumiao__records as ({{ deduplicate('src__sj_sole_traders_zumiao__records', 'sj_sole_traders_zumiao', 'records') }}),
src__sj_special_equipment__records as (select * from {{ source('sj_special_equipment', 'records') }}),
cur__sj_special_equipment__records as ({{ deduplicate('src__sj_special_equipment__records', 'sj_special_equipment', 'records') }}),
src__sw_a_grade_taxpayers__records as (select * from {{ source('sw_a_grade_taxpayers', 'records') }}),
cur__sw_a_grade_taxpayers__records as ({{ deduplicate('src__sw_a_grade_taxpayers__records', 'sw_a_grade_taxpayers', 'records') }}),
src__sw_invoices__records as (select * from {{ source('sw_invoices', 'records') }}),
cur__sw_invoices__records as ({{ deduplicate('src__sw_invoices__records', 'sw_invoices', 'records') }}),
src__sw_tax_arrears__records as (select * from {{ source('sw_tax_arrears', 'records') }}),
cur__sw_tax_arrears__records as ({{ deduplicate('src__sw_tax_arrears__records', 'sw_tax_arrears', 'records') }}),
src__sw_tax_registration_nanzhuang__records as (select * from {{ source('sw_tax_registration_nanzhuang', 'records') }}),
cur__sw_tax_registration_nanzhuang__records as ({{ deduplicate('src__sw_tax_registration_nanzhuang__records', 'sw_tax_registration_nanzhuang', 'records') }}),
src__sw_tax_registration_shiwan__records as (select * from {{ source('sw_tax_registration_shiwan', 'records') }}),
cur__sw_tax_registration_shiwan__records as ({{ deduplicate('src__sw_tax_registration_shiwan__records', 'sw_tax_registration_shiwan', 'records') }}),
src__sw_tax_registration_zhangcha__records as (select * from {{ source('sw_tax_registration_zhangcha', 'records') }}),
cur__sw_tax_registration_zhangcha__records as ({{ deduplicate('src__sw_tax_registration_zhangcha__records', 'sw_tax_registration_zhangcha', 'records') }}),
src__sw_tax_registration_zumiao__records as (select * from {{ source('sw_tax_registration_zumiao', 'records') }}),
cur__sw_tax_registration_zumiao__records as ({{ deduplicate('src__sw_tax_registration_zumiao__records', 'sw_tax_registration_zumiao', 'records') }}),
src__tj_economic_census_nanzhuang__records as (select * from {{ source('tj_economic_census_nanzhuang', 'records') }}),
cur__tj_economic_census_nanzhuang__records as ({{ deduplicate('src__tj_economic_census_nanzhuang__records', 'tj_economic_census_nanzhuang', 'records') }}),
src__tj_economic_census_shiwan__records as (select * from {{ source('tj_economic_census_shiwan', 'records') }}),
cur__tj_economic_census_shiwan__records as ({{ deduplicate('src__tj_economic_census_shiwan__records', 'tj_economic_census_shiwan', 'records') }}),
src__tj_economic_census_zhangcha__records as (select * from {{ source('tj_economic_census_zhangcha', 'records') }}),
cur__tj_economic_census_zhangcha__records as ({{ deduplicate('src__tj_economic_census_zhangcha__records', 'tj_economic_census_zhangcha', 'records') }}),
src__tj_economic_census_zumiao__records as (select * from {{ source('tj_economic_census_zumiao', 'records') }}),
cur__tj_economic_census_zumiao__records as ({{ deduplicate('src__tj_economic_census_zumiao__records', 'tj_economic_census_zumiao', 'records') }}),
src__yb_designated_pharmacies__records as (select * from {{ source('yb_designated_pharmacies', 'records') }}),
cur__yb_designated_pharmacies__records as ({{ deduplicate('src__yb_designated_pharmacies__records', 'yb_designated_pharmacies', 'records') }}),
src__yj_hazardous_chemicals__records as (select * from {{ source('yj_hazardous_chemicals', 'records') }}),
cur__yj_hazardous_chemicals__records as ({{ deduplicate('src__yj_hazardous_chemicals__records', 'yj_hazardous_chemicals', 'records') }}),
src__yj_safety_inspections_nanzhuang__records as (select * from {{ source('yj_safety_inspections_nanzhuang', 'records') }}),
cur__yj_safety_inspections_nanzhuang__records as ({{ deduplicate('src__yj_safety_inspections_nanzhuang__records', 'yj_safety_inspections_nanzhuang', 'records') }}),
src__yj_safety_inspections_shiwan__records as (select * from {{ source('yj_safety_inspections_shiwan', 'records') }}),
cur__yj_safety_inspections_shiwan__records as ({{ deduplicate('src__yj_safety_inspections_shiwan__records', 'yj_safety_inspections_shiwan', 'records') }}),
src__yj_safety_inspections_zhangcha__records as (select * from {{ source('yj_safety_inspections_zhangcha', 'records') }}),
cur__yj_safety_inspections_zhangcha__records as ({{ deduplicate('src__yj_safety_inspections_zhangcha__records', 'yj_safety_inspections_zhangcha', 'records') }}),
src__yj_safety_inspections_zumiao__records as (select * from {{ source('yj_safety_inspections_zumiao', 'records') }}),
cur__yj_safety_inspections_zumiao__records as ({{ deduplicate('src__yj_safety_inspections_zumiao__records', 'yj_safety_inspections_zumiao', 'records') }}),
src__zj_builders__records as (select * from {{ source('zj_builders', 'records') }}),
cur__zj_builders__records as ({{ deduplicate('src__zj_builders__records', 'zj_builders', 'records') }}),
mentions as (
    select 'cg_enforcement_cases' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(org_name as {{ text }}) as name, cast(uscc as {{ text }}) as uscc, cast(null as {{ text }}) as entity_type, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as address,
        _received_at as observed_at, _delivery_id
    from cur__cg_enforcement_cases__records
    where org_name is not null or uscc is not null
    union all
    select 'cg_shop_signs' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(org_name as {{ text }}) as name, cast(uscc as {{ text }}) as uscc, cast(null as {{ text }}) as entity_type, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as address,
        _received_at as observed_at, _delivery_id
    from cur__cg_shop_signs__records
    where org_name is not null or uscc is not null
    union all
    select 'fy_dishonest_enterprises' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(org_name as {{ text }}) as name, cast(uscc as {{ text }}) as uscc, cast(null as {{ text }}) as entity_type, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as address,
        _received_at as observed_at, _delivery_id
    from cur__fy_dishonest_enterprises__records
    where org_name is not null or uscc is not null
    union all
    select 'gjj_fund_employers' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(org_name as {{ text }}) as name, cast(uscc as {{ text }}) as uscc, cast(null as {{ text }}) as entity_type, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as address,
        _received_at as observed_at, _delivery_id
    from cur__gjj_fund_employers__records
    where org_name is not null or uscc is not null
    union all
    select 'jt_transport_operators' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(org_name as {{ text }}) as name, cast(uscc as {{ text }}) as uscc, cast(null as {{ text }}) as entity_type, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as address,
        _received_at as observed_at, _delivery_id
    from cur__jt_transport_operators__records
    where org_name is not null or uscc is not null
    union all
    select 'rs_employers' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(org_name as {{ text }}) as name, cast(uscc as {{ text }}) as uscc, cast(null as {{ text }}) as entity_type, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as address,
        _received_at as observed_at, _delivery_id
    from cur__rs_employers__records
    where org_name is not null or uscc is not null
    union all
    select 'sj_abnormal_list' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(org_name as {{ text }}) as name, cast(uscc as {{ text }}) as uscc, cast(null as {{ text }}) as entity_type, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as address,
        _received_at as observed_at, _delivery_id
    from cur__sj_abnormal_list__records
    where org_name is not null or uscc is not null
    union all
    select 'sj_annual_reports_nanzhuang' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(org_name as {{ text }}) as name, cast(uscc as {{ text }}) as uscc, cast(null as {{ text }}) as entity_type, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as address,
        _received_at as observed_at, _delivery_id
    from cur__sj_annual_reports_nanzhuang__records
    where org_name is not null or uscc is not null
    union all
    select 'sj_annual_reports_shiwan' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(org_name as {{ text }}) as name, cast(uscc as {{ text }}) as uscc, cast(null as {{ text }}) as entity_type, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as address,
        _received_at as observed_at, _delivery_id
    from cur__sj_annual_reports_shiwan__records
    where org_name is not null or uscc is not null
    union all
    select 'sj_annual_reports_zhangcha' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(org_name as {{ text }}) as name, cast(uscc as {{ text }}) as uscc, cast(null as {{ text }}) as entity_type, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as address,
        _received_at as observed_at, _delivery_id
    from cur__sj_annual_reports_zhangcha__records
    where org_name is not null or uscc is not null
    union all
    select 'sj_annual_reports_zumiao' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(org_name as {{ text }}) as name, cast(uscc as {{ text }}) as uscc, cast(null as {{ text }}) as entity_type, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as address,
        _received_at as observed_at, _delivery_id
    from cur__sj_annual_reports_zumiao__records
    where org_name is not null or uscc is not null
    union all
    select 'sj_food_licences' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(org_name as {{ text }}) as name, cast(uscc as {{ text }}) as uscc, cast(null as {{ text }}) as entity_type, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as address,
        _received_at as observed_at, _delivery_id
    from cur__sj_food_licences__records
    where org_name is not null or uscc is not null
    union all
    select 'sj_penalties' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(org_name as {{ text }}) as name, cast(uscc as {{ text }}) as uscc, cast(null as {{ text }}) as entity_type, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as address,
        _received_at as observed_at, _delivery_id
    from cur__sj_penalties__records
    where org_name is not null or uscc is not null
    union all
    select 'sj_sole_traders_nanzhuang' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(org_name as {{ text }}) as name, cast(uscc as {{ text }}) as uscc, cast(null as {{ text }}) as entity_type, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as address,
        _received_at as observed_at, _delivery_id
    from cur__sj_sole_traders_nanzhuang__records
    where org_name is not null or uscc is not null
    union all
    select 'sj_sole_traders_shiwan' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(org_name as {{ text }}) as name, cast(uscc as {{ text }}) as uscc, cast(null as {{ text }}) as entity_type, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as address,
        _received_at as observed_at, _delivery_id
    from cur__sj_sole_traders_shiwan__records
    where org_name is not null or uscc is not null
    union all
    select 'sj_sole_traders_zhangcha' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(org_name as {{ text }}) as name, cast(uscc as {{ text }}) as uscc, cast(null as {{ text }}) as entity_type, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as address,
        _received_at as observed_at, _delivery_id
    from cur__sj_sole_traders_zhangcha__records
    where org_name is not null or uscc is not null
    union all
    select 'sj_sole_traders_zumiao' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(org_name as {{ text }}) as name, cast(uscc as {{ text }}) as uscc, cast(null as {{ text }}) as entity_type, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as address,
        _received_at as observed_at, _delivery_id
    from cur__sj_sole_traders_zumiao__records
    where org_name is not null or uscc is not null
    union all
    select 'sj_special_equipment' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(org_name as {{ text }}) as name, cast(uscc as {{ text }}) as uscc, cast(null as {{ text }}) as entity_type, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as address,
        _received_at as observed_at, _delivery_id
    from cur__sj_special_equipment__records
    where org_name is not null or uscc is not null
    union all
    select 'sw_a_grade_taxpayers' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(org_name as {{ text }}) as name, cast(uscc as {{ text }}) as uscc, cast(null as {{ text }}) as entity_type, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as address,
        _received_at as observed_at, _delivery_id
    from cur__sw_a_grade_taxpayers__records
    where org_name is not null or uscc is not null
    union all
    select 'sw_invoices' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(org_name as {{ text }}) as name, cast(uscc as {{ text }}) as uscc, cast(null as {{ text }}) as entity_type, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as address,
        _received_at as observed_at, _delivery_id
    from cur__sw_invoices__records
    where org_name is not null or uscc is not null
    union all
    select 'sw_tax_arrears' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(org_name as {{ text }}) as name, cast(uscc as {{ text }}) as uscc, cast(null as {{ text }}) as entity_type, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as address,
        _received_at as observed_at, _delivery_id
    from cur__sw_tax_arrears__records
    where org_name is not null or uscc is not null
    union all
    select 'sw_tax_registration_nanzhuang' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(org_name as {{ text }}) as name, cast(uscc as {{ text }}) as uscc, cast(null as {{ text }}) as entity_type, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as address,
        _received_at as observed_at, _delivery_id
    from cur__sw_tax_registration_nanzhuang__records
    where org_name is not null or uscc is not null
    union all
    select 'sw_tax_registration_shiwan' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(org_name as {{ text }}) as name, cast(uscc as {{ text }}) as uscc, cast(null as {{ text }}) as entity_type, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as address,
        _received_at as observed_at, _delivery_id
    from cur__sw_tax_registration_shiwan__records
    where org_name is not null or uscc is not null
    union all
    select 'sw_tax_registration_zhangcha' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(org_name as {{ text }}) as name, cast(uscc as {{ text }}) as uscc, cast(null as {{ text }}) as entity_type, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as address,
        _received_at as observed_at, _delivery_id
    from cur__sw_tax_registration_zhangcha__records
    where org_name is not null or uscc is not null
    union all
    select 'sw_tax_registration_zumiao' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(org_name as {{ text }}) as name, cast(uscc as {{ text }}) as uscc, cast(null as {{ text }}) as entity_type, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as address,
        _received_at as observed_at, _delivery_id
    from cur__sw_tax_registration_zumiao__records
    where org_name is not null or uscc is not null
    union all
    select 'tj_economic_census_nanzhuang' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(org_name as {{ text }}) as name, cast(uscc as {{ text }}) as uscc, cast(null as {{ text }}) as entity_type, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as address,
        _received_at as observed_at, _delivery_id
    from cur__tj_economic_census_nanzhuang__records
    where org_name is not null or uscc is not null
    union all
    select 'tj_economic_census_shiwan' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(org_name as {{ text }}) as name, cast(uscc as {{ text }}) as uscc, cast(null as {{ text }}) as entity_type, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as address,
        _received_at as observed_at, _delivery_id
    from cur__tj_economic_census_shiwan__records
    where org_name is not null or uscc is not null
    union all
    select 'tj_economic_census_zhangcha' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(org_name as {{ text }}) as name, cast(uscc as {{ text }}) as uscc, cast(null as {{ text }}) as entity_type, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as address,
        _received_at as observed_at, _delivery_id
    from cur__tj_economic_census_zhangcha__records
    where org_name is not null or uscc is not null
    union all
    select 'tj_economic_census_zumiao' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(org_name as {{ text }}) as name, cast(uscc as {{ text }}) as uscc, cast(null as {{ text }}) as entity_type, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as address,
        _received_at as observed_at, _delivery_id
    from cur__tj_economic_census_zumiao__records
    where org_name is not null or uscc is not null
    union all
    select 'yb_designated_pharmacies' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(org_name as {{ text }}) as name, cast(uscc as {{ text }}) as uscc, cast(null as {{ text }}) as entity_type, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as address,
        _received_at as observed_at, _delivery_id
    from cur__yb_designated_pharmacies__records
    where org_name is not null or uscc is not null
    union all
    select 'yj_hazardous_chemicals' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(org_name as {{ text }}) as name, cast(uscc as {{ text }}) as uscc, cast(null as {{ text }}) as entity_type, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as address,
        _received_at as observed_at, _delivery_id
    from cur__yj_hazardous_chemicals__records
    where org_name is not null or uscc is not null
    union all
    select 'yj_safety_inspections_nanzhuang' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(org_name as {{ text }}) as name, cast(uscc as {{ text }}) as uscc, cast(null as {{ text }}) as entity_type, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as address,
        _received_at as observed_at, _delivery_id
    from cur__yj_safety_inspections_nanzhuang__records
    where org_name is not null or uscc is not null
    union all
    select 'yj_safety_inspections_shiwan' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(org_name as {{ text }}) as name, cast(uscc as {{ text }}) as uscc, cast(null as {{ text }}) as entity_type, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as address,
        _received_at as observed_at, _delivery_id
    from cur__yj_safety_inspections_shiwan__records
    where org_name is not null or uscc is not null
    union all
    select 'yj_safety_inspections_zhangcha' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(org_name as {{ text }}) as name, cast(uscc as {{ text }}) as uscc, cast(null as {{ text }}) as entity_type, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as address,
        _received_at as observed_at, _delivery_id
    from cur__yj_safety_inspections_zhangcha__records
    where org_name is not null or uscc is not null
    union all
    select 'yj_safety_inspections_zumiao' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(org_name as {{ text }}) as name, cast(uscc as {{ text }}) as uscc, cast(null as {{ text }}) as entity_type, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as address,
        _received_at as observed_at, _delivery_id
    from cur__yj_safety_inspections_zumiao__records
    where org_name is not null or uscc is not null
    union all
    select 'zj_builders' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(org_name as {{ text }}) as name, cast(uscc as {{ text }}) as uscc, cast(null as {{ text }}) as entity_type, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as address,
        _received_at as observed_at, _delivery_id
    from cur__zj_builders__records
    where org_name is not null or uscc is not null
),

cleaned as (
    select mentions.*, {{ clean_identifier('uscc') }} as uscc_clean from mentions
)

select
    source_id,
    entity,
    record_id,
    role,
    {{ clean_name('name') }} as name,
    {{ uscc_columns('uscc') }},
    {{ clean_text('entity_type') }} as entity_type,
    -- 个体工商户: their codes start 92 (registration authority 9, organisation type 2)
    coalesce(entity_type like '%个体%', false) or uscc_clean like '92%' as is_sole_trader,
    {{ clean_text('village_code') }} as village_code,
    {{ clean_text('address') }} as address,
    observed_at,
    _delivery_id
from cleaned
