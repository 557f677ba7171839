-- GENERATED from catalog/sources/*.yaml by `python -m catalog.dbt_sources`. Do not edit by hand.
-- Every source entity with `staging: generic` whose fields carry canonical attributes, staged the same way:
-- current rows (macro deduplicate), one row per person mentioned (fields grouped by their registry `role`),
-- free text cleaned and identifiers normalised with their reason. Columns are those of int_person_mentions.
{%- set text = dbt.type_string() %}

with
src__cg_street_stalls_nanzhuang__records as (select * from {{ source('cg_street_stalls_nanzhuang', 'records') }}),
cur__cg_street_stalls_nanzhuang__records as ({{ deduplicate('src__cg_street_stalls_nanzhuang__records', 'cg_street_stalls_nanzhuang', 'records') }}),
src__cg_street_stalls_shiwan__records as (select * from {{ source('cg_street_stalls_shiwan', 'records') }}),
cur__cg_street_stalls_shiwan__records as ({{ deduplicate('src__cg_street_stalls_shiwan__records', 'cg_street_stalls_shiwan', 'records') }}),
src__cg_street_stalls_zhangcha__records as (select * from {{ source('cg_street_stalls_zhangcha', 'records') }}),
cur__cg_street_stalls_zhangcha__records as ({{ deduplicate('src__cg_street_stalls_zhangcha__records', 'cg_street_stalls_zhangcha', 'records') }}),
src__cg_street_stalls_zumiao__records as (select * from {{ source('cg_street_stalls_zumiao', 'records') }}),
cur__cg_street_stalls_zumiao__records as ({{ deduplicate('src__cg_street_stalls_zumiao__records', 'cg_street_stalls_zumiao', 'records') }}),
src__cl_disability_certificates_nanzhuang__records as (select * from {{ source('cl_disability_certificates_nanzhuang', 'records') }}),
cur__cl_disability_certificates_nanzhuang__records as ({{ deduplicate('src__cl_disability_certificates_nanzhuang__records', 'cl_disability_certificates_nanzhuang', 'records') }}),
src__cl_disability_certificates_shiwan__records as (select * from {{ source('cl_disability_certificates_shiwan', 'records') }}),
cur__cl_disability_certificates_shiwan__records as ({{ deduplicate('src__cl_disability_certificates_shiwan__records', 'cl_disability_certificates_shiwan', 'records') }}),
src__cl_disability_certificates_zhangcha__records as (select * from {{ source('cl_disability_certificates_zhangcha', 'records') }}),
cur__cl_disability_certificates_zhangcha__records as ({{ deduplicate('src__cl_disability_certificates_zhangcha__records', 'cl_disability_certificates_zhangcha', 'records') }}),
src__cl_disability_certificates_zumiao__records as (select * from {{ source('cl_disability_certificates_zumiao', 'records') }}),
cur__cl_disability_certificates_zumiao__records as ({{ deduplicate('src__cl_disability_certificates_zumiao__records', 'cl_disability_certificates_zumiao', 'records') }}),
src__fy_civil_parties__records as (select * from {{ source('fy_civil_parties', 'records') }}),
cur__fy_civil_parties__records as ({{ deduplicate('src__fy_civil_parties__records', 'fy_civil_parties', 'records') }}),
src__fy_consumption_bans__records as (select * from {{ source('fy_consumption_bans', 'records') }}),
cur__fy_consumption_bans__records as ({{ deduplicate('src__fy_consumption_bans__records', 'fy_consumption_bans', 'records') }}),
src__fy_dishonest_persons__records as (select * from {{ source('fy_dishonest_persons', 'records') }}),
cur__fy_dishonest_persons__records as ({{ deduplicate('src__fy_dishonest_persons__records', 'fy_dishonest_persons', 'records') }}),
src__ga_household_moves__records as (select * from {{ source('ga_household_moves', 'records') }}),
cur__ga_household_moves__records as ({{ deduplicate('src__ga_household_moves__records', 'ga_household_moves', 'records') }}),
src__ga_id_card_issue__records as (select * from {{ source('ga_id_card_issue', 'records') }}),
cur__ga_id_card_issue__records as ({{ deduplicate('src__ga_id_card_issue__records', 'ga_id_card_issue', 'records') }}),
src__ga_residence_permits__records as (select * from {{ source('ga_residence_permits', 'records') }}),
cur__ga_residence_permits__records as ({{ deduplicate('src__ga_residence_permits__records', 'ga_residence_permits', 'records') }}),
src__ga_temporary_residents_nanzhuang__records as (select * from {{ source('ga_temporary_residents_nanzhuang', 'records') }}),
cur__ga_temporary_residents_nanzhuang__records as ({{ deduplicate('src__ga_temporary_residents_nanzhuang__records', 'ga_temporary_residents_nanzhuang', 'records') }}),
src__ga_temporary_residents_shiwan__records as (select * from {{ source('ga_temporary_residents_shiwan', 'records') }}),
cur__ga_temporary_residents_shiwan__records as ({{ deduplicate('src__ga_temporary_residents_shiwan__records', 'ga_temporary_residents_shiwan', 'records') }}),
src__ga_temporary_residents_zhangcha__records as (select * from {{ source('ga_temporary_residents_zhangcha', 'records') }}),
cur__ga_temporary_residents_zhangcha__records as ({{ deduplicate('src__ga_temporary_residents_zhangcha__records', 'ga_temporary_residents_zhangcha', 'records') }}),
src__ga_temporary_residents_zumiao__records as (select * from {{ source('ga_temporary_residents_zumiao', 'records') }}),
cur__ga_temporary_residents_zumiao__records as ({{ deduplicate('src__ga_temporary_residents_zumiao__records', 'ga_temporary_residents_zumiao', 'records') }}),
src__gjj_fund_withdrawals__records as (select * from {{ source('gjj_fund_withdrawals', 'records') }}),
cur__gjj_fund_withdrawals__records as ({{ deduplicate('src__gjj_fund_withdrawals__records', 'gjj_fund_withdrawals', 'records') }}),
src__gjj_housing_fund__records as (select * from {{ source('gjj_housing_fund', 'records') }}),
cur__gjj_housing_fund__records as ({{ deduplicate('src__gjj_housing_fund__records', 'gjj_housing_fund', 'records') }}),
src__jt_drivers__records as (select * from {{ source('jt_drivers', 'records') }}),
cur__jt_drivers__records as ({{ deduplicate('src__jt_drivers__records', 'jt_drivers', 'records') }}),
src__jy_kindergartens_nanzhuang__records as (select * from {{ source('jy_kindergartens_nanzhuang', 'records') }}),
cur__jy_kindergartens_nanzhuang__records as ({{ deduplicate('src__jy_kindergartens_nanzhuang__records', 'jy_kindergartens_nanzhuang', 'records') }}),
src__jy_kindergartens_shiwan__records as (select * from {{ source('jy_kindergartens_shiwan', 'records') }}),
cur__jy_kindergartens_shiwan__records as ({{ deduplicate('src__jy_kindergartens_shiwan__records', 'jy_kindergartens_shiwan', 'records') }}),
src__jy_kindergartens_zhangcha__records as (select * from {{ source('jy_kindergartens_zhangcha', 'records') }}),
cur__jy_kindergartens_zhangcha__records as ({{ deduplicate('src__jy_kindergartens_zhangcha__records', 'jy_kindergartens_zhangcha', 'records') }}),
src__jy_kindergartens_zumiao__records as (select * from {{ source('jy_kindergartens_zumiao', 'records') }}),
cur__jy_kindergartens_zumiao__records as ({{ deduplicate('src__jy_kindergartens_zumiao__records', 'jy_kindergartens_zumiao', 'records') }}),
src__jy_school_enrolment_nanzhuang__records as (select * from {{ source('jy_school_enrolment_nanzhuang', 'records') }}),
cur__jy_school_enrolment_nanzhuang__records as ({{ deduplicate('src__jy_school_enrolment_nanzhuang__records', 'jy_school_enrolment_nanzhuang', 'records') }}),
src__jy_school_enrolment_shiwan__records as (select * from {{ source('jy_school_enrolment_shiwan', 'records') }}),
cur__jy_school_enrolment_shiwan__records as ({{ deduplicate('src__jy_school_enrolment_shiwan__records', 'jy_school_enrolment_shiwan', 'records') }}),
src__jy_school_enrolment_zhangcha__records as (select * from {{ source('jy_school_enrolment_zhangcha', 'records') }}),
cur__jy_school_enrolment_zhangcha__records as ({{ deduplicate('src__jy_school_enrolment_zhangcha__records', 'jy_school_enrolment_zhangcha', 'records') }}),
src__jy_school_enrolment_zumiao__records as (select * from {{ source('jy_school_enrolment_zumiao', 'records') }}),
cur__jy_school_enrolment_zumiao__records as ({{ deduplicate('src__jy_school_enrolment_zumiao__records', 'jy_school_enrolment_zumiao', 'records') }}),
src__jy_student_aid__records as (select * from {{ source('jy_student_aid', 'records') }}),
cur__jy_student_aid__records as ({{ deduplicate('src__jy_student_aid__records', 'jy_student_aid', 'records') }}),
src__mz_deaths__records as (select * from {{ source('mz_deaths', 'records') }}),
cur__mz_deaths__records as ({{ deduplicate('src__mz_deaths__records', 'mz_deaths', 'records') }}),
src__mz_disability_subsidy__records as (select * from {{ source('mz_disability_subsidy', 'records') }}),
cur__mz_disability_subsidy__records as ({{ deduplicate('src__mz_disability_subsidy__records', 'mz_disability_subsidy', 'records') }}),
src__mz_elderly_allowance_nanzhuang__records as (select * from {{ source('mz_elderly_allowance_nanzhuang', 'records') }}),
cur__mz_elderly_allowance_nanzhuang__records as ({{ deduplicate('src__mz_elderly_allowance_nanzhuang__records', 'mz_elderly_allowance_nanzhuang', 'records') }}),
src__mz_elderly_allowance_shiwan__records as (select * from {{ source('mz_elderly_allowance_shiwan', 'records') }}),
cur__mz_elderly_allowance_shiwan__records as ({{ deduplicate('src__mz_elderly_allowance_shiwan__records', 'mz_elderly_allowance_shiwan', 'records') }}),
src__mz_elderly_allowance_zhangcha__records as (select * from {{ source('mz_elderly_allowance_zhangcha', 'records') }}),
cur__mz_elderly_allowance_zhangcha__records as ({{ deduplicate('src__mz_elderly_allowance_zhangcha__records', 'mz_elderly_allowance_zhangcha', 'records') }}),
src__mz_elderly_allowance_zumiao__records as (select * from {{ source('mz_elderly_allowance_zumiao', 'records') }}),
cur__mz_elderly_allowance_zumiao__records as ({{ deduplicate('src__mz_elderly_allowance_zumiao__records', 'mz_elderly_allowance_zumiao', 'records') }}),
src__mz_funerals__records as (select * from {{ source('mz_funerals', 'records') }}),
cur__mz_funerals__records as ({{ deduplicate('src__mz_funerals__records', 'mz_funerals', 'records') }}),
src__mz_home_care_nanzhuang__records as (select * from {{ source('mz_home_care_nanzhuang', 'records') }}),
cur__mz_home_care_nanzhuang__records as ({{ deduplicate('src__mz_home_care_nanzhuang__records', 'mz_home_care_nanzhuang', 'records') }}),
src__mz_home_care_shiwan__records as (select * from {{ source('mz_home_care_shiwan', 'records') }}),
cur__mz_home_care_shiwan__records as ({{ deduplicate('src__mz_home_care_shiwan__records', 'mz_home_care_shiwan', 'records') }}),
src__mz_home_care_zhangcha__records as (select * from {{ source('mz_home_care_zhangcha', 'records') }}),
cur__mz_home_care_zhangcha__records as ({{ deduplicate('src__mz_home_care_zhangcha__records', 'mz_home_care_zhangcha', 'records') }}),
src__mz_home_care_zumiao__records as (select * from {{ source('mz_home_care_zumiao', 'records') }}),
cur__mz_home_care_zumiao__records as ({{ deduplicate('src__mz_home_care_zumiao__records', 'mz_home_care_zumiao', 'records') }}),
src__mz_special_hardship__records as (select * from {{ source('mz_special_hardship', 'records') }}),
cur__mz_special_hardship__records as ({{ deduplicate('src__mz_special_hardship__records', 'mz_special_hardship', 'records') }}),
src__mz_subsistence_nanzhuang__records as (select * from {{ source('mz_subsistence_nanzhuang', 'records') }}),
cur__mz_subsistence_nanzhuang__records as ({{ deduplicate('src__mz_subsistence_nanzhuang__records', 'mz_subsistence_nanzhuang', 'records') }}),
src__mz_subsistence_shiwan__records as (select * from {{ source('mz_subsistence_shiwan', 'records') }}),
cur__mz_subsistence_shiwan__records as ({{ deduplicate('src__mz_subsistence_shiwan__records', 'mz_subsistence_shiwan', 'records') }}),
src__mz_subsistence_zhangcha__records as (select * from {{ source('mz_subsistence_zhangcha', 'records') }}),
cur__mz_subsistence_zhangcha__records as ({{ deduplicate('src__mz_subsistence_zhangcha__records', 'mz_subsistence_zhangcha', 'records') }}),
src__mz_subsistence_zumiao__records as (select * from {{ source('mz_subsistence_zumiao', 'records') }}),
cur__mz_subsistence_zumiao__records as ({{ deduplicate('src__mz_subsistence_zumiao__records', 'mz_subsistence_zumiao', 'records') }}),
src__rs_employment_nanzhuang__records as (select * from {{ source('rs_employment_nanzhuang', 'records') }}),
cur__rs_employment_nanzhuang__records as ({{ deduplicate('src__rs_employment_nanzhuang__records', 'rs_employment_nanzhuang', 'records') }}),
src__rs_employment_shiwan__records as (select * from {{ source('rs_employment_shiwan', 'records') }}),
cur__rs_employment_shiwan__records as ({{ deduplicate('src__rs_employment_shiwan__records', 'rs_employment_shiwan', 'records') }}),
src__rs_employment_zhangcha__records as (select * from {{ source('rs_employment_zhangcha', 'records') }}),
cur__rs_employment_zhangcha__records as ({{ deduplicate('src__rs_employment_zhangcha__records', 'rs_employment_zhangcha', 'records') }}),
src__rs_employment_zumiao__records as (select * from {{ source('rs_employment_zumiao', 'records') }}),
cur__rs_employment_zumiao__records as ({{ deduplicate('src__rs_employment_zumiao__records', 'rs_employment_zumiao', 'records') }}),
src__rs_pensions_nanzhuang__records as (select * from {{ source('rs_pensions_nanzhuang', 'records') }}),
cur__rs_pensions_nanzhuang__records as ({{ deduplicate('src__rs_pensions_nanzhuang__records', 'rs_pensions_nanzhuang', 'records') }}),
src__rs_pensions_shiwan__records as (select * from {{ source('rs_pensions_shiwan', 'records') }}),
cur__rs_pensions_shiwan__records as ({{ deduplicate('src__rs_pensions_shiwan__records', 'rs_pensions_shiwan', 'records') }}),
src__rs_pensions_zhangcha__records as (select * from {{ source('rs_pensions_zhangcha', 'records') }}),
cur__rs_pensions_zhangcha__records as ({{ deduplicate('src__rs_pensions_zhangcha__records', 'rs_pensions_zhangcha', 'records') }}),
src__rs_pensions_zumiao__records as (select * from {{ source('rs_pensions_zumiao', 'records') }}),
cur__rs_pensions_zumiao__records as ({{ deduplicate('src__rs_pensions_zumiao__records', 'rs_pensions_zumiao', 'records') }}),
src__rs_retirement_nanzhuang__records as (select * from {{ source('rs_retirement_nanzhuang', 'records') }}),
cur__rs_retirement_nanzhuang__records as ({{ deduplicate('src__rs_retirement_nanzhuang__records', 'rs_retirement_nanzhuang', 'records') }}),
src__rs_retirement_shiwan__records as (select * from {{ source('rs_retirement_shiwan', 'records') }}),
cur__rs_retirement_shiwan__records as ({{ deduplicate('src__rs_retirement_shiwan__records', 'rs_retirement_shiwan', 'records') }}),
src__rs_retirement_zhangcha__records as (select * from {{ source('rs_retirement_zhangcha', 'records') }}),
cur__rs_retirement_zhangcha__records as ({{ deduplicate('src__rs_retirement_zhangcha__records', 'rs_retirement_zhangcha', 'records') }}),
src__rs_retirement_zumiao__records as (select * from {{ source('rs_retirement_zumiao', 'records') }}),
cur__rs_retirement_zumiao__records as ({{ deduplicate('src__rs_retirement_zumiao__records', 'rs_retirement_zumiao', 'records') }}),
src__rs_skills_training__records as (select * from {{ source('rs_skills_training', 'records') }}),
cur__rs_skills_training__records as ({{ deduplicate('src__rs_skills_training__records', 'rs_skills_training', 'records') }}),
src__rs_social_insurance_nanzhuang__records as (select * from {{ source('rs_social_insurance_nanzhuang', 'records') }}),
cur__rs_social_insurance_nanzhuang__records as ({{ deduplicate('src__rs_social_insurance_nanzhuang__records', 'rs_social_insurance_nanzhuang', 'records') }}),
src__rs_social_insurance_shiwan__records as (select * from {{ source('rs_social_insurance_shiwan', 'records') }}),
cur__rs_social_insurance_shiwan__records as ({{ deduplicate('src__rs_social_insurance_shiwan__records', 'rs_social_insurance_shiwan', 'records') }}),
src__rs_social_insurance_zhangcha__records as (select * from {{ source('rs_social_insurance_zhangcha', 'records') }}),
cur__rs_social_insurance_zhangcha__records as ({{ deduplicate('src__rs_social_insurance_zhangcha__records', 'rs_social_insurance_zhangcha', 'records') }}),
src__rs_social_insurance_zumiao__records as (select * from {{ source('rs_social_insurance_zumiao', 'records') }}),
cur__rs_social_insurance_zumiao__records as ({{ deduplicate('src__rs_social_insurance_zumiao__records', 'rs_social_insurance_zumiao', 'records') }}),
src__rs_unemployment__records as (select * from {{ source('rs_unemployment', 'records') }}),
cur__rs_unemployment__records as ({{ deduplicate('src__rs_unemployment__records', 'rs_unemployment', 'records') }}),
src__sf_community_corrections__records as (select * from {{ source('sf_community_corrections', 'records') }}),
cur__sf_community_corrections__records as ({{ deduplicate('src__sf_community_corrections__records', 'sf_community_corrections', 'records') }}),
src__sf_legal_aid__records as (select * from {{ source('sf_legal_aid', 'records') }}),
cur__sf_legal_aid__records as ({{ deduplicate('src__sf_legal_aid__records', 'sf_legal_aid', 'records') }}),
src__sf_mediation_nanzhuang__records as (select * from {{ source('sf_mediation_nanzhuang', 'records') }}),
cur__sf_mediation_nanzhuang__records as ({{ deduplicate('src__sf_mediation_nanzhuang__records', 'sf_mediation_nanzhuang', 'records') }}),
src__sf_mediation_shiwan__records as (select * from {{ source('sf_mediation_shiwan', 'records') }}),
cur__sf_mediation_shiwan__records as ({{ deduplicate('src__sf_mediation_shiwan__records', 'sf_mediation_shiwan', 'records') }}),
src__sf_mediation_zhangcha__records as (select * from {{ source('sf_mediation_zhangcha', 'records') }}),
cur__sf_mediation_zhangcha__records as ({{ deduplicate('src__sf_mediation_zhangcha__records', 'sf_mediation_zhangcha', 'records') }}),
src__sf_mediation_zumiao__records as (select * from {{ source('sf_mediation_zumiao', 'records') }}),
cur__sf_mediation_zumiao__records as ({{ deduplicate('src__sf_mediation_zumiao__records', 'sf_mediation_zumiao', 'records') }}),
src__sw_individual_tax__records as (select * from {{ source('sw_individual_tax', 'records') }}),
cur__sw_individual_tax__records as ({{ deduplicate('src__sw_individual_tax__records', 'sw_individual_tax', 'records') }}),
src__tj_labour_survey__records as (select * from {{ source('tj_labour_survey', 'records') }}),
cur__tj_labour_survey__records as ({{ deduplicate('src__tj_labour_survey__records', 'tj_labour_survey', 'records') }}),
src__tj_population_sample_nanzhuang__records as (select * from {{ source('tj_population_sample_nanzhuang', 'records') }}),
cur__tj_population_sample_nanzhuang__records as ({{ deduplicate('src__tj_population_sample_nanzhuang__records', 'tj_population_sample_nanzhuang', 'records') }}),
src__tj_population_sample_shiwan__records as (select * from {{ source('tj_population_sample_shiwan', 'records') }}),
cur__tj_population_sample_shiwan__records as ({{ deduplicate('src__tj_population_sample_shiwan__records', 'tj_population_sample_shiwan', 'records') }}),
src__tj_population_sample_zhangcha__records as (select * from {{ source('tj_population_sample_zhangcha', 'records') }}),
cur__tj_population_sample_zhangcha__records as ({{ deduplicate('src__tj_population_sample_zhangcha__records', 'tj_population_sample_zhangcha', 'records') }}),
src__tj_population_sample_zumiao__records as (select * from {{ source('tj_population_sample_zumiao', 'records') }}),
cur__tj_population_sample_zumiao__records as ({{ deduplicate('src__tj_population_sample_zumiao__records', 'tj_population_sample_zumiao', 'records') }}),
src__ty_preferential_care__records as (select * from {{ source('ty_preferential_care', 'records') }}),
cur__ty_preferential_care__records as ({{ deduplicate('src__ty_preferential_care__records', 'ty_preferential_care', 'records') }}),
src__ty_veterans__records as (select * from {{ source('ty_veterans', 'records') }}),
cur__ty_veterans__records as ({{ deduplicate('src__ty_veterans__records', 'ty_veterans', 'records') }}),
src__wj_birth_certificates__records as (select * from {{ source('wj_birth_certificates', 'records') }}),
cur__wj_birth_certificates__records as ({{ deduplicate('src__wj_birth_certificates__records', 'wj_birth_certificates', 'records') }}),
src__wj_elderly_checkup_nanzhuang__records as (select * from {{ source('wj_elderly_checkup_nanzhuang', 'records') }}),
cur__wj_elderly_checkup_nanzhuang__records as ({{ deduplicate('src__wj_elderly_checkup_nanzhuang__records', 'wj_elderly_checkup_nanzhuang', 'records') }}),
src__wj_elderly_checkup_shiwan__records as (select * from {{ source('wj_elderly_checkup_shiwan', 'records') }}),
cur__wj_elderly_checkup_shiwan__records as ({{ deduplicate('src__wj_elderly_checkup_shiwan__records', 'wj_elderly_checkup_shiwan', 'records') }}),
src__wj_elderly_checkup_zhangcha__records as (select * from {{ source('wj_elderly_checkup_zhangcha', 'records') }}),
cur__wj_elderly_checkup_zhangcha__records as ({{ deduplicate('src__wj_elderly_checkup_zhangcha__records', 'wj_elderly_checkup_zhangcha', 'records') }}),
src__wj_elderly_checkup_zumiao__records as (select * from {{ source('wj_elderly_checkup_zumiao', 'records') }}),
cur__wj_elderly_checkup_zumiao__records as ({{ deduplicate('src__wj_elderly_checkup_zumiao__records', 'wj_elderly_checkup_zumiao', 'records') }}),
src__wj_family_doctor_nanzhuang__records as (select * from {{ source('wj_family_doctor_nanzhuang', 'records') }}),
cur__wj_family_doctor_nanzhuang__records as ({{ deduplicate('src__wj_family_doctor_nanzhuang__records', 'wj_family_doctor_nanzhuang', 'records') }}),
src__wj_family_doctor_shiwan__records as (select * from {{ source('wj_family_doctor_shiwan', 'records') }}),
cur__wj_family_doctor_shiwan__records as ({{ deduplicate('src__wj_family_doctor_shiwan__records', 'wj_family_doctor_shiwan', 'records') }}),
src__wj_family_doctor_zhangcha__records as (select * from {{ source('wj_family_doctor_zhangcha', 'records') }}),
cur__wj_family_doctor_zhangcha__records as ({{ deduplicate('src__wj_family_doctor_zhangcha__records', 'wj_family_doctor_zhangcha', 'records') }}),
src__wj_family_doctor_zumiao__records as (select * from {{ source('wj_family_doctor_zumiao', 'records') }}),
cur__wj_family_doctor_zumiao__records as ({{ deduplicate('src__wj_family_doctor_zumiao__records', 'wj_family_doctor_zumiao', 'records') }}),
src__wj_family_planning__records as (select * from {{ source('wj_family_planning', 'records') }}),
cur__wj_family_planning__records as ({{ deduplicate('src__wj_family_planning__records', 'wj_family_planning', 'records') }}),
src__wj_health_records_nanzhuang__records as (select * from {{ source('wj_health_records_nanzhuang', 'records') }}),
cur__wj_health_records_nanzhuang__records as ({{ deduplicate('src__wj_health_records_nanzhuang__records', 'wj_health_records_nanzhuang', 'records') }}),
src__wj_health_records_shiwan__records as (select * from {{ source('wj_health_records_shiwan', 'records') }}),
cur__wj_health_records_shiwan__records as ({{ deduplicate('src__wj_health_records_shiwan__records', 'wj_health_records_shiwan', 'records') }}),
src__wj_health_records_zhangcha__records as (select * from {{ source('wj_health_records_zhangcha', 'records') }}),
cur__wj_health_records_zhangcha__records as ({{ deduplicate('src__wj_health_records_zhangcha__records', 'wj_health_records_zhangcha', 'records') }}),
src__wj_health_records_zumiao__records as (select * from {{ source('wj_health_records_zumiao', 'records') }}),
cur__wj_health_records_zumiao__records as ({{ deduplicate('src__wj_health_records_zumiao__records', 'wj_health_records_zumiao', 'records') }}),
src__wj_vaccination_nanzhuang__records as (select * from {{ source('wj_vaccination_nanzhuang', 'records') }}),
cur__wj_vaccination_nanzhuang__records as ({{ deduplicate('src__wj_vaccination_nanzhuang__records', 'wj_vaccination_nanzhuang', 'records') }}),
src__wj_vaccination_shiwan__records as (select * from {{ source('wj_vaccination_shiwan', 'records') }}),
cur__wj_vaccination_shiwan__records as ({{ deduplicate('src__wj_vaccination_shiwan__records', 'wj_vaccination_shiwan', 'records') }}),
src__wj_vaccination_zhangcha__records as (select * from {{ source('wj_vaccination_zhangcha', 'records') }}),
cur__wj_vaccination_zhangcha__records as ({{ deduplicate('src__wj_vaccination_zhangcha__records', 'wj_vaccination_zhangcha', 'records') }}),
src__wj_vaccination_zumiao__records as (select * from {{ source('wj_vaccination_zumiao', 'records') }}),
cur__wj_vaccination_zumiao__records as ({{ deduplicate('src__wj_vaccination_zumiao__records', 'wj_vaccination_zumiao', 'records') }}),
src__yb_chronic_disease__records as (select * from {{ source('yb_chronic_disease', 'records') }}),
cur__yb_chronic_disease__records as ({{ deduplicate('src__yb_chronic_disease__records', 'yb_chronic_disease', 'records') }}),
src__yb_medical_aid__records as (select * from {{ source('yb_medical_aid', 'records') }}),
cur__yb_medical_aid__records as ({{ deduplicate('src__yb_medical_aid__records', 'yb_medical_aid', 'records') }}),
src__yb_medical_insurance_nanzhuang__records as (select * from {{ source('yb_medical_insurance_nanzhuang', 'records') }}),
cur__yb_medical_insurance_nanzhuang__records as ({{ deduplicate('src__yb_medical_insurance_nanzhuang__records', 'yb_medical_insurance_nanzhuang', 'records') }}),
src__yb_medical_insurance_shiwan__records as (select * from {{ source('yb_medical_insurance_shiwan', 'records') }}),
cur__yb_medical_insurance_shiwan__records as ({{ deduplicate('src__yb_medical_insurance_shiwan__records', 'yb_medical_insurance_shiwan', 'records') }}),
src__yb_medical_insurance_zhangcha__records as (select * from {{ source('yb_medical_insurance_zhangcha', 'records') }}),
cur__yb_medical_insurance_zhangcha__records as ({{ deduplicate('src__yb_medical_insurance_zhangcha__records', 'yb_medical_insurance_zhangcha', 'records') }}),
src__yb_medical_insurance_zumiao__records as (select * from {{ source('yb_medical_insurance_zumiao', 'records') }}),
cur__yb_medical_insurance_zumiao__records as ({{ deduplicate('src__yb_medical_insurance_zumiao__records', 'yb_medical_insurance_zumiao', 'records') }}),
src__yj_safety_training__records as (select * from {{ source('yj_safety_training', 'records') }}),
cur__yj_safety_training__records as ({{ deduplicate('src__yj_safety_training__records', 'yj_safety_training', 'records') }}),
src__zj_old_estates_nanzhuang__records as (select * from {{ source('zj_old_estates_nanzhuang', 'records') }}),
cur__zj_old_estates_nanzhuang__records as ({{ deduplicate('src__zj_old_estates_nanzhuang__records', 'zj_old_estates_nanzhuang', 'records') }}),
src__zj_old_estates_shiwan__records as (select * from {{ source('zj_old_estates_shiwan', 'records') }}),
cur__zj_old_estates_shiwan__records as ({{ deduplicate('src__zj_old_estates_shiwan__records', 'zj_old_estates_shiwan', 'records') }}),
src__zj_old_estates_zhangcha__records as (select * from {{ source('zj_old_estates_zhangcha', 'records') }}),
cur__zj_old_estates_zhangcha__records as ({{ deduplicate('src__zj_old_estates_zhangcha__records', 'zj_old_estates_zhangcha', 'records') }}),
src__zj_old_estates_zumiao__records as (select * from {{ source('zj_old_estates_zumiao', 'records') }}),
cur__zj_old_estates_zumiao__records as ({{ deduplicate('src__zj_old_estates_zumiao__records', 'zj_old_estates_zumiao', 'records') }}),
src__zj_property_rights_nanzhuang__records as (select * from {{ source('zj_property_rights_nanzhuang', 'records') }}),
cur__zj_property_rights_nanzhuang__records as ({{ deduplicate('src__zj_property_rights_nanzhuang__records', 'zj_property_rights_nanzhuang', 'records') }}),
src__zj_property_rights_shiwan__records as (select * from {{ source('zj_property_rights_shiwan', 'records') }}),
cur__zj_property_rights_shiwan__records as ({{ deduplicate('src__zj_property_rights_shiwan__records', 'zj_property_rights_shiwan', 'records') }}),
src__zj_property_rights_zhangcha__records as (select * from {{ source('zj_property_rights_zhangcha', 'records') }}),
cur__zj_property_rights_zhangcha__records as ({{ deduplicate('src__zj_property_rights_zhangcha__records', 'zj_property_rights_zhangcha', 'records') }}),
src__zj_property_rights_zumiao__records as (select * from {{ source('zj_property_rights_zumiao', 'records') }}),
cur__zj_property_rights_zumiao__records as ({{ deduplicate('src__zj_property_rights_zumiao__records', 'zj_property_rights_zumiao', 'records') }}),
src__zj_public_housing__records as (select * from {{ source('zj_public_housing', 'records') }}),
cur__zj_public_housing__records as ({{ deduplicate('src__zj_public_housing__records', 'zj_public_housing', 'records') }}),
src__zj_rentals_nanzhuang__records as (select * from {{ source('zj_rentals_nanzhuang', 'records') }}),
cur__zj_rentals_nanzhuang__records as ({{ deduplicate('src__zj_rentals_nanzhuang__records', 'zj_rentals_nanzhuang', 'records') }}),
src__zj_rentals_shiwan__records as (select * from {{ source('zj_rentals_shiwan', 'records') }}),
cur__zj_rentals_shiwan__records as ({{ deduplicate('src__zj_rentals_shiwan__records', 'zj_rentals_shiwan', 'records') }}),
src__zj_rentals_zhangcha__records as (select * from {{ source('zj_rentals_zhangcha', 'records') }}),
cur__zj_rentals_zhangcha__records as ({{ deduplicate('src__zj_rentals_zhangcha__records', 'zj_rentals_zhangcha', 'records') }}),
src__zj_rentals_zumiao__records as (select * from {{ source('zj_rentals_zumiao', 'records') }}),
cur__zj_rentals_zumiao__records as ({{ deduplicate('src__zj_rentals_zumiao__records', 'zj_rentals_zumiao', 'records') }}),
mentions as (
    select 'cg_street_stalls_nanzhuang' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(null as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__cg_street_stalls_nanzhuang__records
    where name is not null or id_number is not null
    union all
    select 'cg_street_stalls_shiwan' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__cg_street_stalls_shiwan__records
    where name is not null or id_number is not null
    union all
    select 'cg_street_stalls_zhangcha' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(null as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__cg_street_stalls_zhangcha__records
    where name is not null or id_number is not null
    union all
    select 'cg_street_stalls_zumiao' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(null as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__cg_street_stalls_zumiao__records
    where name is not null or id_number is not null
    union all
    select 'cl_disability_certificates_nanzhuang' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(null as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__cl_disability_certificates_nanzhuang__records
    where name is not null or id_number is not null
    union all
    select 'cl_disability_certificates_shiwan' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__cl_disability_certificates_shiwan__records
    where name is not null or id_number is not null
    union all
    select 'cl_disability_certificates_zhangcha' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__cl_disability_certificates_zhangcha__records
    where name is not null or id_number is not null
    union all
    select 'cl_disability_certificates_zumiao' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(null as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(null as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__cl_disability_certificates_zumiao__records
    where name is not null or id_number is not null
    union all
    select 'fy_civil_parties' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(null as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(null as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__fy_civil_parties__records
    where name is not null or id_number is not null
    union all
    select 'fy_consumption_bans' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__fy_consumption_bans__records
    where name is not null or id_number is not null
    union all
    select 'fy_dishonest_persons' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(null as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__fy_dishonest_persons__records
    where name is not null or id_number is not null
    union all
    select 'ga_household_moves' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__ga_household_moves__records
    where name is not null or id_number is not null
    union all
    select 'ga_id_card_issue' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(null as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__ga_id_card_issue__records
    where name is not null or id_number is not null
    union all
    select 'ga_residence_permits' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__ga_residence_permits__records
    where name is not null or id_number is not null
    union all
    select 'ga_temporary_residents_nanzhuang' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__ga_temporary_residents_nanzhuang__records
    where name is not null or id_number is not null
    union all
    select 'ga_temporary_residents_shiwan' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__ga_temporary_residents_shiwan__records
    where name is not null or id_number is not null
    union all
    select 'ga_temporary_residents_zhangcha' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(null as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__ga_temporary_residents_zhangcha__records
    where name is not null or id_number is not null
    union all
    select 'ga_temporary_residents_zumiao' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(null as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__ga_temporary_residents_zumiao__records
    where name is not null or id_number is not null
    union all
    select 'gjj_fund_withdrawals' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__gjj_fund_withdrawals__records
    where name is not null or id_number is not null
    union all
    select 'gjj_housing_fund' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__gjj_housing_fund__records
    where name is not null or id_number is not null
    union all
    select 'jt_drivers' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(null as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__jt_drivers__records
    where name is not null or id_number is not null
    union all
    select 'jy_kindergartens_nanzhuang' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__jy_kindergartens_nanzhuang__records
    where name is not null or id_number is not null
    union all
    select 'jy_kindergartens_shiwan' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(null as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__jy_kindergartens_shiwan__records
    where name is not null or id_number is not null
    union all
    select 'jy_kindergartens_zhangcha' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(null as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__jy_kindergartens_zhangcha__records
    where name is not null or id_number is not null
    union all
    select 'jy_kindergartens_zumiao' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__jy_kindergartens_zumiao__records
    where name is not null or id_number is not null
    union all
    select 'jy_school_enrolment_nanzhuang' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(null as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__jy_school_enrolment_nanzhuang__records
    where name is not null or id_number is not null
    union all
    select 'jy_school_enrolment_shiwan' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(null as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__jy_school_enrolment_shiwan__records
    where name is not null or id_number is not null
    union all
    select 'jy_school_enrolment_zhangcha' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__jy_school_enrolment_zhangcha__records
    where name is not null or id_number is not null
    union all
    select 'jy_school_enrolment_zumiao' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(null as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__jy_school_enrolment_zumiao__records
    where name is not null or id_number is not null
    union all
    select 'jy_student_aid' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__jy_student_aid__records
    where name is not null or id_number is not null
    union all
    select 'mz_deaths' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'deceased' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(null as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(null as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__mz_deaths__records
    where name is not null or id_number is not null
    union all
    select 'mz_disability_subsidy' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__mz_disability_subsidy__records
    where name is not null or id_number is not null
    union all
    select 'mz_elderly_allowance_nanzhuang' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__mz_elderly_allowance_nanzhuang__records
    where name is not null or id_number is not null
    union all
    select 'mz_elderly_allowance_shiwan' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(null as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__mz_elderly_allowance_shiwan__records
    where name is not null or id_number is not null
    union all
    select 'mz_elderly_allowance_zhangcha' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__mz_elderly_allowance_zhangcha__records
    where name is not null or id_number is not null
    union all
    select 'mz_elderly_allowance_zumiao' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(null as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__mz_elderly_allowance_zumiao__records
    where name is not null or id_number is not null
    union all
    select 'mz_funerals' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'deceased' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(null as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__mz_funerals__records
    where name is not null or id_number is not null
    union all
    select 'mz_home_care_nanzhuang' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__mz_home_care_nanzhuang__records
    where name is not null or id_number is not null
    union all
    select 'mz_home_care_shiwan' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(null as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__mz_home_care_shiwan__records
    where name is not null or id_number is not null
    union all
    select 'mz_home_care_zhangcha' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(null as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__mz_home_care_zhangcha__records
    where name is not null or id_number is not null
    union all
    select 'mz_home_care_zumiao' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__mz_home_care_zumiao__records
    where name is not null or id_number is not null
    union all
    select 'mz_special_hardship' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(null as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__mz_special_hardship__records
    where name is not null or id_number is not null
    union all
    select 'mz_subsistence_nanzhuang' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(null as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__mz_subsistence_nanzhuang__records
    where name is not null or id_number is not null
    union all
    select 'mz_subsistence_shiwan' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__mz_subsistence_shiwan__records
    where name is not null or id_number is not null
    union all
    select 'mz_subsistence_zhangcha' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__mz_subsistence_zhangcha__records
    where name is not null or id_number is not null
    union all
    select 'mz_subsistence_zumiao' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(null as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(null as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__mz_subsistence_zumiao__records
    where name is not null or id_number is not null
    union all
    select 'rs_employment_nanzhuang' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__rs_employment_nanzhuang__records
    where name is not null or id_number is not null
    union all
    select 'rs_employment_shiwan' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(null as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__rs_employment_shiwan__records
    where name is not null or id_number is not null
    union all
    select 'rs_employment_zhangcha' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(null as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__rs_employment_zhangcha__records
    where name is not null or id_number is not null
    union all
    select 'rs_employment_zumiao' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__rs_employment_zumiao__records
    where name is not null or id_number is not null
    union all
    select 'rs_pensions_nanzhuang' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(null as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__rs_pensions_nanzhuang__records
    where name is not null or id_number is not null
    union all
    select 'rs_pensions_shiwan' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__rs_pensions_shiwan__records
    where name is not null or id_number is not null
    union all
    select 'rs_pensions_zhangcha' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(null as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__rs_pensions_zhangcha__records
    where name is not null or id_number is not null
    union all
    select 'rs_pensions_zumiao' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(null as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__rs_pensions_zumiao__records
    where name is not null or id_number is not null
    union all
    select 'rs_retirement_nanzhuang' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__rs_retirement_nanzhuang__records
    where name is not null or id_number is not null
    union all
    select 'rs_retirement_shiwan' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__rs_retirement_shiwan__records
    where name is not null or id_number is not null
    union all
    select 'rs_retirement_zhangcha' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(null as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(null as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__rs_retirement_zhangcha__records
    where name is not null or id_number is not null
    union all
    select 'rs_retirement_zumiao' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__rs_retirement_zumiao__records
    where name is not null or id_number is not null
    union all
    select 'rs_skills_training' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__rs_skills_training__records
    where name is not null or id_number is not null
    union all
    select 'rs_social_insurance_nanzhuang' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__rs_social_insurance_nanzhuang__records
    where name is not null or id_number is not null
    union all
    select 'rs_social_insurance_shiwan' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(null as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__rs_social_insurance_shiwan__records
    where name is not null or id_number is not null
    union all
    select 'rs_social_insurance_zhangcha' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(null as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__rs_social_insurance_zhangcha__records
    where name is not null or id_number is not null
    union all
    select 'rs_social_insurance_zumiao' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__rs_social_insurance_zumiao__records
    where name is not null or id_number is not null
    union all
    select 'rs_unemployment' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(null as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__rs_unemployment__records
    where name is not null or id_number is not null
    union all
    select 'sf_community_corrections' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(null as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__sf_community_corrections__records
    where name is not null or id_number is not null
    union all
    select 'sf_legal_aid' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(null as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__sf_legal_aid__records
    where name is not null or id_number is not null
    union all
    select 'sf_mediation_nanzhuang' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(null as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__sf_mediation_nanzhuang__records
    where name is not null or id_number is not null
    union all
    select 'sf_mediation_shiwan' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(null as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__sf_mediation_shiwan__records
    where name is not null or id_number is not null
    union all
    select 'sf_mediation_zhangcha' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__sf_mediation_zhangcha__records
    where name is not null or id_number is not null
    union all
    select 'sf_mediation_zumiao' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__sf_mediation_zumiao__records
    where name is not null or id_number is not null
    union all
    select 'sw_individual_tax' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(null as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__sw_individual_tax__records
    where name is not null or id_number is not null
    union all
    select 'tj_labour_survey' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__tj_labour_survey__records
    where name is not null or id_number is not null
    union all
    select 'tj_population_sample_nanzhuang' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__tj_population_sample_nanzhuang__records
    where name is not null or id_number is not null
    union all
    select 'tj_population_sample_shiwan' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(null as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(null as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__tj_population_sample_shiwan__records
    where name is not null or id_number is not null
    union all
    select 'tj_population_sample_zhangcha' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__tj_population_sample_zhangcha__records
    where name is not null or id_number is not null
    union all
    select 'tj_population_sample_zumiao' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__tj_population_sample_zumiao__records
    where name is not null or id_number is not null
    union all
    select 'ty_preferential_care' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__ty_preferential_care__records
    where name is not null or id_number is not null
    union all
    select 'ty_veterans' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(null as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__ty_veterans__records
    where name is not null or id_number is not null
    union all
    select 'wj_birth_certificates' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'newborn' as role, cast(newborn_name as {{ text }}) as name, cast(newborn_id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(null as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(null as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__wj_birth_certificates__records
    where newborn_name is not null or newborn_id_number is not null
    union all
    select 'wj_birth_certificates' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'mother' as role, cast(mother_name as {{ text }}) as name, cast(mother_id_number as {{ text }}) as id_number, cast(null as {{ text }}) as sex, cast(null as date) as birth_date, cast(null as {{ text }}) as phone, cast(null as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(null as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__wj_birth_certificates__records
    where mother_name is not null or mother_id_number is not null
    union all
    select 'wj_birth_certificates' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'father' as role, cast(father_name as {{ text }}) as name, cast(father_id_number as {{ text }}) as id_number, cast(null as {{ text }}) as sex, cast(null as date) as birth_date, cast(null as {{ text }}) as phone, cast(null as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(null as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__wj_birth_certificates__records
    where father_name is not null or father_id_number is not null
    union all
    select 'wj_elderly_checkup_nanzhuang' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(null as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__wj_elderly_checkup_nanzhuang__records
    where name is not null or id_number is not null
    union all
    select 'wj_elderly_checkup_shiwan' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__wj_elderly_checkup_shiwan__records
    where name is not null or id_number is not null
    union all
    select 'wj_elderly_checkup_zhangcha' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(null as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__wj_elderly_checkup_zhangcha__records
    where name is not null or id_number is not null
    union all
    select 'wj_elderly_checkup_zumiao' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__wj_elderly_checkup_zumiao__records
    where name is not null or id_number is not null
    union all
    select 'wj_family_doctor_nanzhuang' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(null as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__wj_family_doctor_nanzhuang__records
    where name is not null or id_number is not null
    union all
    select 'wj_family_doctor_shiwan' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(null as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__wj_family_doctor_shiwan__records
    where name is not null or id_number is not null
    union all
    select 'wj_family_doctor_zhangcha' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__wj_family_doctor_zhangcha__records
    where name is not null or id_number is not null
    union all
    select 'wj_family_doctor_zumiao' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__wj_family_doctor_zumiao__records
    where name is not null or id_number is not null
    union all
    select 'wj_family_planning' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__wj_family_planning__records
    where name is not null or id_number is not null
    union all
    select 'wj_health_records_nanzhuang' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(null as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(null as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__wj_health_records_nanzhuang__records
    where name is not null or id_number is not null
    union all
    select 'wj_health_records_shiwan' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__wj_health_records_shiwan__records
    where name is not null or id_number is not null
    union all
    select 'wj_health_records_zhangcha' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__wj_health_records_zhangcha__records
    where name is not null or id_number is not null
    union all
    select 'wj_health_records_zumiao' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(null as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__wj_health_records_zumiao__records
    where name is not null or id_number is not null
    union all
    select 'wj_vaccination_nanzhuang' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(null as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__wj_vaccination_nanzhuang__records
    where name is not null or id_number is not null
    union all
    select 'wj_vaccination_shiwan' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__wj_vaccination_shiwan__records
    where name is not null or id_number is not null
    union all
    select 'wj_vaccination_zhangcha' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(null as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__wj_vaccination_zhangcha__records
    where name is not null or id_number is not null
    union all
    select 'wj_vaccination_zumiao' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__wj_vaccination_zumiao__records
    where name is not null or id_number is not null
    union all
    select 'yb_chronic_disease' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__yb_chronic_disease__records
    where name is not null or id_number is not null
    union all
    select 'yb_medical_aid' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__yb_medical_aid__records
    where name is not null or id_number is not null
    union all
    select 'yb_medical_insurance_nanzhuang' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(null as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__yb_medical_insurance_nanzhuang__records
    where name is not null or id_number is not null
    union all
    select 'yb_medical_insurance_shiwan' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__yb_medical_insurance_shiwan__records
    where name is not null or id_number is not null
    union all
    select 'yb_medical_insurance_zhangcha' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(null as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__yb_medical_insurance_zhangcha__records
    where name is not null or id_number is not null
    union all
    select 'yb_medical_insurance_zumiao' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(null as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__yb_medical_insurance_zumiao__records
    where name is not null or id_number is not null
    union all
    select 'yj_safety_training' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__yj_safety_training__records
    where name is not null or id_number is not null
    union all
    select 'zj_old_estates_nanzhuang' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(house_no as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__zj_old_estates_nanzhuang__records
    where name is not null or id_number is not null
    union all
    select 'zj_old_estates_shiwan' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(null as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(null as {{ text }}) as address, cast(house_no as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__zj_old_estates_shiwan__records
    where name is not null or id_number is not null
    union all
    select 'zj_old_estates_zhangcha' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(house_no as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__zj_old_estates_zhangcha__records
    where name is not null or id_number is not null
    union all
    select 'zj_old_estates_zumiao' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(house_no as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__zj_old_estates_zumiao__records
    where name is not null or id_number is not null
    union all
    select 'zj_property_rights_nanzhuang' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(null as {{ text }}) as address, cast(house_no as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__zj_property_rights_nanzhuang__records
    where name is not null or id_number is not null
    union all
    select 'zj_property_rights_shiwan' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(house_no as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__zj_property_rights_shiwan__records
    where name is not null or id_number is not null
    union all
    select 'zj_property_rights_zhangcha' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(null as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(house_no as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__zj_property_rights_zhangcha__records
    where name is not null or id_number is not null
    union all
    select 'zj_property_rights_zumiao' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(house_no as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__zj_property_rights_zumiao__records
    where name is not null or id_number is not null
    union all
    select 'zj_public_housing' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(null as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(null as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__zj_public_housing__records
    where name is not null or id_number is not null
    union all
    select 'zj_rentals_nanzhuang' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(null as {{ text }}) as address, cast(house_no as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__zj_rentals_nanzhuang__records
    where name is not null or id_number is not null
    union all
    select 'zj_rentals_shiwan' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(null as date) as birth_date, cast(null as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(house_no as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__zj_rentals_shiwan__records
    where name is not null or id_number is not null
    union all
    select 'zj_rentals_zhangcha' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(house_no as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__zj_rentals_zhangcha__records
    where name is not null or id_number is not null
    union all
    select 'zj_rentals_zumiao' as source_id, 'records' as entity,
        cast(record_no as {{ text }}) as record_id,
        'subject' as role, cast(name as {{ text }}) as name, cast(id_number as {{ text }}) as id_number, cast(sex as {{ text }}) as sex, cast(birth_date as date) as birth_date, cast(phone as {{ text }}) as phone, cast(village_code as {{ text }}) as village_code, cast(null as {{ text }}) as household_no, cast(address as {{ text }}) as address, cast(house_no as {{ text }}) as house_no,
        _received_at as observed_at, _delivery_id
    from cur__zj_rentals_zumiao__records
    where name is not null or id_number is not null
),

cleaned as (
    select mentions.*, {{ clean_identifier('id_number') }} as id_number_clean
    from mentions
)

select
    source_id,
    entity,
    record_id,
    role,
    {{ clean_name('name') }} as name,
    {{ citizen_id_columns('id_number') }},
    {{ standard_sex('sex') }} as sex,
    birth_date,
    {{ clean_phone('phone') }} as phone,
    {{ clean_text('village_code') }} as village_code,
    {{ clean_text('household_no') }} as household_no,
    {{ clean_text('address') }} as address,
    {{ clean_text('house_no') }} as house_no,
    observed_at,
    _delivery_id
from cleaned
