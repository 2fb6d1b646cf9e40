-- one row per site and account a run judged (verdicts.run_entities); from verdicts.check_results, the review
-- decisions of the run's quarter and verdicts.indicators. Params: %(run_id)s, %(pass_score)s.
--
-- Review decisions apply per (entity, indicator): 排除 turns a machine finding into a pass (it never
-- counts again for that quarter); 确认 makes it a fail — a suspected finding ('review'), or a
-- reviewer's own finding where the machine saw nothing (M level: a WeChat account whose interaction
-- does not work). Confirmed manual findings for indicators no check covers count as fails too.
--
-- order matters (CONTRACT / INDICATORS §1), written once, here:
--   1. any veto (or fail-kind) indicator failed        → 不合格
--   2. a site's deduction score < pass_score           → 不合格
--   3. a veto (or fail-kind) input is unknown          → 无法判定
--   4. findings still waiting for a reviewer           → 待审核
--   5. otherwise                                       → 合格

with run as (
    select run_id, quarter, unverified from verdicts.runs where run_id = %(run_id)s
),

entities as (
    select entity_type, entity_id, name, code, region_code, organizer, kind, platform, account_type, url
    from verdicts.run_entities
    where run_id = %(run_id)s
),

decisions as (
    select cr.entity_type, cr.entity_id, cr.indicator, cr.decision, cr.source, cr.problem, cr.evidence
    from verdicts.current_review cr
    join run on run.quarter = cr.quarter
    where cr.decision is not null
),

machine as (
    select r.entity_type, r.entity_id, r.indicator, r.check_name,
           case when d.decision = '确认' then coalesce(r.problem, d.problem) else r.problem end as problem,
           r.reason, r.evidence,
           case when d.decision = '排除' then 'pass'
                when d.decision = '确认' then 'fail'  -- a reviewer's confirmation beats the machine's pass
                else r.status end as status
    from verdicts.check_results r
    left join decisions d using (entity_type, entity_id, indicator)
    where r.run_id = %(run_id)s
),

manual as (
    select d.entity_type, d.entity_id, d.indicator, 'manual'::text as check_name, d.problem,
           null::text as reason, d.evidence, 'fail'::text as status
    from decisions d
    where d.source = 'manual' and d.decision = '确认'
      and not exists (select 1 from machine m where m.entity_type = d.entity_type
                      and m.entity_id = d.entity_id and m.indicator = d.indicator)
),

results as (
    select f.*, coalesce(i.kind, 'flag') as kind, i.points_max,
           case when i.evidence_tag = 'R' then f.indicator end as unverified_indicator
    from (select * from machine union all select * from manual) f
    left join verdicts.indicators i using (indicator)
),

deductions as (
    select entity_type, entity_id, indicator,
           least(sum(coalesce((evidence ->> 'deduction_points')::numeric, 0)),
                 coalesce(max(points_max), 'infinity'::numeric)) as points
    from results
    where kind = 'deduction' and status = 'fail'
    group by entity_type, entity_id, indicator
),

scores as (
    select e.entity_type, e.entity_id,
           case when e.entity_type = 'site'
                then greatest(0, 100 - coalesce(sum(d.points), 0)) end as score
    from entities e
    left join deductions d using (entity_type, entity_id)
    group by e.entity_type, e.entity_id
),

per_entity as (
    select e.*, s.score,
           bool_or(r.kind in ('veto', 'fail') and r.status = 'fail') as hit_veto,
           bool_or(r.kind in ('veto', 'fail') and r.status = 'unknown') as veto_unknown,
           bool_or(r.status = 'review') as pending,
           count(r.indicator) filter (where r.kind in ('veto', 'fail')) as veto_inputs,
           coalesce(array_agg(distinct r.problem) filter (where r.status = 'fail' and r.problem is not null), '{}') as problems,
           coalesce(array_agg(distinct r.indicator) filter (where r.kind = 'veto' and r.status = 'fail'), '{}') as vetoes,
           coalesce(array_agg(distinct r.indicator || '：' || r.reason) filter (where r.status = 'unknown'), '{}') as unknown_reasons,
           coalesce(array_agg(distinct r.indicator || '：' || r.problem) filter (where r.status = 'review'), '{}') as pending_review,
           coalesce(array_agg(distinct r.unverified_indicator) filter (where r.unverified_indicator is not null
                                                                        and r.status = 'fail'), '{}') as unverified
    from entities e
    join scores s using (entity_type, entity_id)
    left join results r using (entity_type, entity_id)
    group by e.entity_type, e.entity_id, e.name, e.code, e.region_code, e.organizer, e.kind, e.platform,
             e.account_type, e.url, s.score
),

rollup_quarterly_verdicts as (
    select %(run_id)s::bigint as run_id, p.entity_type, p.entity_id,
           case
               when p.hit_veto then '不合格'
               when p.score is not null and p.score < %(pass_score)s then '不合格'
               when p.veto_unknown then '无法判定'
               when p.veto_inputs = 0 then '无法判定'  -- nothing was checked: never silently 合格
               when p.pending then '待审核'
               else '合格'
           end as verdict,
           p.score,
           p.problems,
           p.vetoes,
           case when p.veto_inputs = 0 then array['无检查数据'] else p.unknown_reasons end as unknown_reasons,
           p.pending_review,
           p.unverified
    from per_entity p
)

insert into verdicts.run_verdicts (run_id, entity_type, entity_id, verdict, score, problems, vetoes,
                                   unknown_reasons, pending_review, unverified)
select * from rollup_quarterly_verdicts
