-- Every credit record the platform holds: the one-window credit records and the legacy credit lists (court
-- dishonest persons and enterprises, consumption bans, market penalties and abnormal list, tax arrears and
-- A-grade taxpayers), each with its subject resolved to a natural- or legal-person key.

{%- set text = dbt.type_string() %}
{%- set legacy = [
    ('fy_dishonest_persons', 'person', '失信黑名单', '失信被执行人', '区人民法院'),
    ('fy_consumption_bans', 'person', '限制高消费', '限制高消费', '区人民法院'),
    ('fy_dishonest_enterprises', 'enterprise', '失信黑名单', '失信被执行企业', '区人民法院'),
    ('sj_penalties', 'enterprise', '行政处罚', '市场监管行政处罚', '区市场监督管理局'),
    ('sj_abnormal_list', 'enterprise', '经营异常名录', '列入经营异常名录', '区市场监督管理局'),
    ('sw_tax_arrears', 'enterprise', '欠税公告', '欠税公告', '区税务局'),
    ('sw_a_grade_taxpayers', 'enterprise', '守信红名单', '纳税信用A级', '区税务局'),
] %}

with

onewindow as (
    select
        'onewindow' as source_id,
        record_no,
        subject_type,
        case subject_type
            when 'person' then {{ pseudonym_key('person', 'subject_id') }}
            when 'enterprise' then {{ pseudonym_key('org', 'subject_id') }}
        end as subject_key,
        record_type,
        title,
        decided_on,
        authority
    from {{ ref('stg_onewindow__credit_records') }}
),

person_xref as (
    select source_id, record_id, person_key
    from {{ ref('person_source_xref') }}
    where role = 'subject'
),

org_xref as (
    select source_id, record_id, org_key
    from {{ ref('org_source_xref') }}
    where role = 'subject'
),

{% for source_id, subject_type, record_type, title, authority in legacy %}
src__{{ source_id }} as (
    select * from {{ source(source_id, 'records') }}
),

{{ source_id }} as (
    select
        '{{ source_id }}' as source_id,
        cast(current_rows.record_no as {{ text }}) as record_no,
        '{{ subject_type }}' as subject_type,
        {{ 'person_xref.person_key' if subject_type == 'person' else 'org_xref.org_key' }} as subject_key,
        '{{ record_type }}' as record_type,
        '{{ title }}' as title,
        current_rows.event_date as decided_on,
        '{{ authority }}' as authority
    from ({{ deduplicate('src__' ~ source_id, source_id, 'records') }}) as current_rows
    left join {{ 'person_xref' if subject_type == 'person' else 'org_xref' }}
        on {{ 'person_xref' if subject_type == 'person' else 'org_xref' }}.source_id = '{{ source_id }}'
        and {{ 'person_xref' if subject_type == 'person' else 'org_xref' }}.record_id
            = cast(current_rows.record_no as {{ text }})
),

{% endfor %}
unioned as (
    select * from onewindow
{%- for source_id, _, _, _, _ in legacy %}
    union all
    select * from {{ source_id }}
{%- endfor %}
)

select
    {{ surrogate_key(["source_id", "record_no"]) }} as record_key,
    record_no,
    subject_type,
    subject_key,
    record_type,
    title,
    decided_on,
    authority,
    source_id
from unioned
