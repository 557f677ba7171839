{#- Every subject's score equals the sum of its rows in credit_score_contribution. -#}
{% test score_equals_contributions(model) %}
with sums as (
    select subject_type, subject_key, sum(points) as points
    from {{ ref('credit_score_contribution') }}
    group by subject_type, subject_key
)
select profile.subject_type, profile.subject_key, profile.score, sums.points
from {{ model }} as profile
left join sums
    on sums.subject_type = profile.subject_type
    and sums.subject_key = profile.subject_key
where sums.points is null or sums.points <> profile.score
{% endtest %}
