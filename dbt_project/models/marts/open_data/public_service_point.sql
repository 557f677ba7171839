-- Public-service points the district's sources hold, one row each, with where they are. Today the one source that
-- lists points is the medical-insurance bureau's register of designated pharmacies and medical institutions (医保
-- 定点医药机构, yb_designated_pharmacies): its latest agreement per institution. No source holds service halls,
-- schools or clinics as places yet; another source's points join this union with their own point_type.
-- Sole traders (codes starting 92) are left out: their code and name are personal data.

with

designated as (
    select
        uscc,
        org_name,
        village_code,
        agreed_on,
        row_number() over (partition by uscc order by agreed_on desc, record_id desc) as agreement_rank
    from {{ ref('stg_yb_designated_pharmacies__records') }}
    where uscc is not null
        and uscc not like '92%'
),

points as (
    select
        '医保定点医药机构' as point_type,
        uscc as point_id,
        org_name as point_name,
        uscc,
        village_code,
        agreed_on as listed_on,
        '区医疗保障局' as department
    from designated
    where agreement_rank = 1
)

select
    points.point_type,
    points.point_id,
    points.point_name,
    points.uscc,
    points.village_code,
    village.village_name,
    village.town_name,
    points.listed_on,
    points.department
from points
left join {{ ref('village') }} as village
    on village.village_code = points.village_code
