-- one row per site and account a run judged (verdicts.run_entities); from verdicts.check_results, the review
-- decisions of the run's quarter and verdicts.indicators. Params: %(run_id)s, %(pass_score)s, %(phase)s.
-- A SELECT of verdicts.run_verdicts' columns; govmon/verdicts/compute.py writes its rows.
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
--      (no veto input at all: nothing was checked     → 无法判定, never silently 合格)
--   4. findings still waiting for a reviewer           → 待审核
--   5. otherwise                                       → 合格
--
-- Shape, for speed at national scale (784,000 check rows, nearly all passes): a pass changes no
-- verdict, so only the results that are not passes, and passes a reviewer confirmed, are read and
-- aggregated per entity. That every entity had a veto input is known from verdicts.run_checks
-- (a veto-kind check that judged every entity of its kind); the rows are counted only for the kinds
-- of entity no such check covered.
--
-- Phases (%(phase)s), so that the rows of the entities nothing was found about, nearly all of them,
-- are written while the checks run (migration 0020):
--   'all'       every entity of the run, from everything above (a roll-up again after review)
--   'defaults'  every entity the run will judge (registry.inspected_*, in the run's snapshot), as
--               the roll-up gives it when no check found anything and every kind had a veto check
--               judge it in full: no result, no decision is read
--   'findings'  after the checks: only the entities whose verdict can differ from that, those with
--               a result that can change a verdict, and every entity of a kind no veto-kind check
--               judged in full; written over their 'defaults' rows
-- 'defaults' then 'findings' give the same rows as 'all' (tests/verdicts/test_rollup.py).

with run as (
    select run_id, quarter from verdicts.runs where run_id = %(run_id)s
),

decisions as (
    select cr.entity_type, cr.entity_id, cr.indicator, cr.decision, cr.source, cr.problem, cr.evidence
    from verdicts.current_review cr
    join run on run.quarter = cr.quarter
    where cr.decision is not null and %(phase)s <> 'defaults'
),

-- the results that can change a verdict: those that are not passes (each check's partial index of
-- them), and passes a reviewer confirmed as findings (one key lookup each, in the checks of its
-- indicator)
machine_rows as (
    select r.*
    from verdicts.check_results r
    where r.run_id = %(run_id)s and r.status <> 'pass' and %(phase)s <> 'defaults'
    union all
    select r.*
    from (select distinct entity_type, entity_id, indicator from decisions where decision = '确认') d
    -- driven by the decisions (a lateral: never a pass over the run's results, whatever the
    -- planner believes of the fresh partitions' sizes)
    cross join lateral (
        select r.*
        from verdicts.run_checks rc
        join verdicts.check_results r
            on r.run_id = rc.run_id and r.check_name = rc.check_name
           and r.entity_type = d.entity_type and r.entity_id = d.entity_id
        where rc.run_id = %(run_id)s and rc.indicator = d.indicator and rc.entity_type = d.entity_type
          and r.status = 'pass'
        offset 0  -- kept apart: not flattened into a join the planner may start from the results
    ) as r
),

machine as (
    select r.entity_type, r.entity_id, r.indicator,
           case when d.decision = '确认' then coalesce(r.problem, d.problem) else r.problem end as problem,
           r.reason,
           case when d.decision = '排除' then 'pass'
                when d.decision = '确认' then 'fail'  -- a reviewer's confirmation beats the machine's pass
                else r.status end as status,
           case when i.kind = 'deduction' then (r.evidence ->> 'deduction_points')::numeric end as points,
           coalesce(i.kind, 'flag') as kind, i.points_max, i.evidence_tag
    from machine_rows r
    left join decisions d using (entity_type, entity_id, indicator)
    left join verdicts.indicators i using (indicator)
),

manual as (
    select d.entity_type, d.entity_id, d.indicator, d.problem, null::text as reason, 'fail'::text as status,
           case when i.kind = 'deduction' then (d.evidence ->> 'deduction_points')::numeric end as points,
           coalesce(i.kind, 'flag') as kind, i.points_max, i.evidence_tag
    from decisions d
    left join verdicts.indicators i using (indicator)
    where d.source = 'manual' and d.decision = '确认'
      -- no check of the run judged that indicator for it: one key lookup in each such check's
      -- results (the checks of an indicator are known from run_checks)
      and not exists (select 1
                      from verdicts.run_checks rc
                      join verdicts.check_results m
                          on m.run_id = rc.run_id and m.check_name = rc.check_name
                         and m.entity_type = d.entity_type and m.entity_id = d.entity_id
                      where rc.run_id = %(run_id)s and rc.indicator = d.indicator and rc.entity_type = d.entity_type)
),

-- read once (few rows), by the two aggregates below
results as materialized (
    select * from machine
    union all
    select * from manual
),

-- a deduction indicator's points, capped at its maximum (few rows: failed deductions only)
deductions as (
    select entity_type, entity_id, indicator,
           least(sum(coalesce(points, 0)), coalesce(max(points_max), 'infinity'::numeric)) as points
    from results
    where kind = 'deduction' and status = 'fail'
    group by entity_type, entity_id, indicator
),

deducted as (
    select entity_type, entity_id, sum(points) as points
    from deductions
    group by entity_type, entity_id
),

-- the kinds of entity a veto-kind check judged in full: every such entity had a veto input
-- (taken as both kinds for the defaults)
covered_kinds as (
    select distinct rc.entity_type
    from verdicts.run_checks rc
    join verdicts.indicators i using (indicator)
    where rc.run_id = %(run_id)s and rc.covers_all and i.kind in ('veto', 'fail') and %(phase)s <> 'defaults'
    union
    select k.entity_type from (values ('site'), ('account')) as k (entity_type) where %(phase)s = 'defaults'
),

-- the entities the run judges: its registry snapshot; for the defaults, the registry the snapshot
-- is made of (the run's own is not attached yet)
entities as (
    select e.entity_type, e.entity_id
    from verdicts.run_entities e
    where e.run_id = %(run_id)s and %(phase)s <> 'defaults'
    union all
    select 'site', s.site_id from registry.inspected_sites s where %(phase)s = 'defaults'
    union all
    select 'account', a.account_id from registry.inspected_accounts a where %(phase)s = 'defaults'
),

-- the other kinds' entities with a veto input, counted from the rows. The last condition refers to
-- no row of the scan, so it is decided once, first: in a full run no such entity exists and no
-- partition is read.
veto_counted as (
    select distinct r.entity_type, r.entity_id
    from verdicts.check_results r
    join verdicts.indicators i using (indicator)
    where r.run_id = %(run_id)s and i.kind in ('veto', 'fail')
      and r.entity_type not in (select entity_type from covered_kinds)
      and exists (select from entities e where e.entity_type not in (select entity_type from covered_kinds))
),

-- per entity, over the results that can change its verdict: the flags and the words
per_entity as (
    select r.entity_type, r.entity_id,
           bool_or(r.kind in ('veto', 'fail') and r.status = 'fail') as hit_veto,
           bool_or(r.kind in ('veto', 'fail') and r.status = 'unknown') as veto_unknown,
           bool_or(r.status = 'review') as pending,
           bool_or(r.kind in ('veto', 'fail')) as veto_input,
           array_agg(distinct r.problem) filter (where r.status = 'fail' and r.problem is not null) as problems,
           array_agg(distinct r.indicator) filter (where r.kind = 'veto' and r.status = 'fail') as vetoes,
           array_agg(distinct r.indicator || '：' || r.reason) filter (where r.status = 'unknown') as unknown_reasons,
           array_agg(distinct r.indicator || '：' || r.problem) filter (where r.status = 'review') as pending_review,
           array_agg(distinct r.indicator) filter (where r.evidence_tag = 'R' and r.status = 'fail') as unverified
    from results r
    group by r.entity_type, r.entity_id
),

judged as (
    select e.entity_type, e.entity_id,
           coalesce(p.hit_veto, false) as hit_veto,
           coalesce(p.veto_unknown, false) as veto_unknown,
           coalesce(p.pending, false) as pending,
           e.entity_type in (select entity_type from covered_kinds) or vc.entity_id is not null
               or coalesce(p.veto_input, false) as had_veto_input,
           case when e.entity_type = 'site' then greatest(0, 100 - coalesce(dd.points, 0)) end as score,
           coalesce(p.problems, '{}') as problems,
           coalesce(p.vetoes, '{}') as vetoes,
           coalesce(p.unknown_reasons, '{}') as unknown_reasons,
           coalesce(p.pending_review, '{}') as pending_review,
           coalesce(p.unverified, '{}') as unverified
    from entities e
    left join per_entity p using (entity_type, entity_id)
    left join deducted dd using (entity_type, entity_id)
    left join veto_counted vc using (entity_type, entity_id)
    -- (the deductions come from the results: an entity with points has a per_entity row)
    where %(phase)s <> 'findings' or p.entity_id is not null
       or e.entity_type not in (select entity_type from covered_kinds)
),

rollup_quarterly_verdicts as (
    select %(run_id)s::bigint as run_id, j.entity_type, j.entity_id,
           case
               when j.hit_veto then '不合格'
               when j.score is not null and j.score < %(pass_score)s then '不合格'
               when j.veto_unknown then '无法判定'
               when not j.had_veto_input then '无法判定'  -- nothing was checked: never silently 合格
               when j.pending then '待审核'
               else '合格'
           end as verdict,
           j.score,
           j.problems,
           j.vetoes,
           case when not j.had_veto_input then array['无检查数据'] else j.unknown_reasons end as unknown_reasons,
           j.pending_review,
           j.unverified
    from judged j
)

select * from rollup_quarterly_verdicts
