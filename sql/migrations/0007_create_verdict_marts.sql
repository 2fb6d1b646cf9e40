-- Roll-ups of the published verdicts: the figures a 通报 opens with and dashboards show.

create or replace function marts.previous_quarter(q text) returns text
language sql immutable as $$
    select case when right(q, 1) = '1' then (left(q, 4)::int - 1)::text || 'Q4'
                else left(q, 5) || (right(q, 1)::int - 1)::text end
$$;

-- one row per published verdict, with the names a viewer reads (region, prefecture, category)
create or replace view marts.fct_entity_verdicts as
select v.quarter, v.entity_type,
       case v.entity_type when 'site' then '网站' else '政务新媒体' end as entity_label,
       coalesce(v.kind, v.platform) as category,
       v.entity_id, v.name, v.code, v.url, v.organizer, v.platform, v.account_type, v.kind,
       v.region_code, r.name as region_name,
       substr(v.region_code, 1, 4) || '00' as prefecture_code, pr.name as prefecture_name,
       v.verdict, v.score, v.problems, v.vetoes, v.unknown_reasons, v.pending_review, v.unverified,
       array_to_string(v.problems, '；') as problems_text,
       v.as_of, v.profile_name, v.profile_version
from verdicts.fct_quarterly_verdicts v
left join registry.regions r on r.region_code = v.region_code
left join registry.regions pr on pr.region_code = substr(v.region_code, 1, 4) || '00';

-- one row per quarter × scope (prefecture, or county) × entity type × category ('全部' = all):
-- counts, 合格率 (one decimal) and the change against the previous quarter
create or replace view marts.fct_quarterly_rollup as
with scoped as (
    select quarter, entity_type, category, 'prefecture'::text as scope_level, prefecture_code as scope_code,
           verdict
    from marts.fct_entity_verdicts
    union all
    select quarter, entity_type, category, 'county', region_code, verdict
    from marts.fct_entity_verdicts
    where region_code <> prefecture_code
),
counted as (
    select quarter, scope_level, scope_code, entity_type, coalesce(category, '全部') as category,
           count(*) as total,
           count(*) filter (where verdict = '合格') as passed,
           count(*) filter (where verdict = '不合格') as failed,
           count(*) filter (where verdict = '无法判定') as undecided,
           count(*) filter (where verdict = '待审核') as pending
    from scoped
    group by grouping sets ((quarter, scope_level, scope_code, entity_type, category),
                            (quarter, scope_level, scope_code, entity_type))
),
rated as (
    select c.*, round(100.0 * c.passed / nullif(c.total, 0), 1) as pass_rate
    from counted c
)
select r.quarter, r.scope_level, r.scope_code, reg.name as scope_name, r.entity_type,
       case r.entity_type when 'site' then '网站' else '政务新媒体' end as entity_label,
       r.category, r.total, r.passed, r.failed, r.undecided, r.pending, r.pass_rate,
       p.total as previous_total, p.pass_rate as previous_pass_rate,
       r.pass_rate - p.pass_rate as pass_rate_change
from rated r
left join rated p on p.quarter = marts.previous_quarter(r.quarter) and p.scope_level = r.scope_level
    and p.scope_code = r.scope_code and p.entity_type = r.entity_type and p.category = r.category
left join registry.regions reg on reg.region_code = r.scope_code;

-- problems, one row per entity and problem: the 主要问题 mix
create or replace view marts.fct_entity_problems as
select v.quarter, v.entity_type, v.entity_label, v.category, v.entity_id, v.name, v.code, v.region_code,
       v.prefecture_code, v.organizer, p.problem
from marts.fct_entity_verdicts v
cross join lateral unnest(v.problems) as p(problem);
