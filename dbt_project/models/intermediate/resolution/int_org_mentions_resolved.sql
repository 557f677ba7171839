-- Every organisation mention with the credit code it resolved to: its own valid code, or one found for a broken
-- or missing code by the code's first 17 characters or by the normalised name (resolution.org_links).

with

mentions as (
    select
        source_id,
        entity,
        record_id,
        role,
        name,
        uscc,
        uscc_raw,
        uscc_reason,
        observed_at,
        _delivery_id
    from {{ ref('int_org_mentions') }}
),

links as (
    select
        source_id,
        entity,
        record_id,
        role,
        uscc,
        match_method,
        match_probability
    from {{ source('resolution', 'org_links') }}
)

select
    mentions.source_id,
    mentions.entity,
    mentions.record_id,
    mentions.role,
    mentions.name,
    mentions.uscc_raw,
    mentions.uscc_reason,
    mentions.observed_at,
    mentions._delivery_id,
    coalesce(mentions.uscc, links.uscc) as resolved_uscc,
    case when mentions.uscc is not null then 'deterministic_uscc' else links.match_method end as match_method,
    case when mentions.uscc is not null then 1.0 else links.match_probability end as match_probability
from mentions
left join links
    on mentions.source_id = links.source_id
    and mentions.entity = links.entity
    and mentions.record_id = links.record_id
    and mentions.role = links.role
