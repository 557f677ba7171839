-- Each enterprise's credit grade with the seed's explanation of the grade and the counts behind it; sole traders
-- are left out (their code and name are personal data).

select
    legal_person.uscc,
    legal_person.name as enterprise_name,
    profile.grade,
    grades.description as grade_description,
    profile.score,
    profile.published_record_count,
    profile.blacklist_count
from {{ ref('credit_profile') }} as profile
inner join {{ ref('legal_person') }} as legal_person
    on profile.subject_key = legal_person.org_key
left join {{ ref('credit_grades') }} as grades
    on grades.grade = profile.grade
where profile.subject_type = 'enterprise'
    and not legal_person.is_sole_trader
