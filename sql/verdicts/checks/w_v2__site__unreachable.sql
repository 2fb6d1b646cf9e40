-- indicator: W-V2
-- entity: site
-- grain: one row per inspected site
--
-- W-V2 站点无法访问 (国办秘函〔2019〕19号): "监测1周，每天间隔性访问20次以上，超过（含）15秒网站仍打不开的
-- 次数累计占比超过（含）5%，即单项否决". From raw.probe__probes and raw.probe__rounds (our own
-- rounds and imported monitoring logs) and registry.inspected_sites.
--
-- Window: the availability.window_days most recent Asia/Shanghai calendar days that have ended by
--   as_of, i.e. D - window_days … D - 1 where D is the local date of as_of. as_of 2026-10-01 00:00
--   +08:00 covers 09-24 … 09-30; as_of 2026-09-30 10:00 +08:00 covers 09-23 … 09-29.
-- A probe counts unless its round's control probe failed (our network was down, not theirs), a
--   firewall page answered (blocked: says nothing about the site), or it gave up before the
--   profile's timeout (a probe run with a shorter timeout proves nothing about this rule).
-- A counted probe fails when the homepage did not open (any other error class), or opened only
--   after the timeout (latency_ms >= timeout_seconds × 1000, e.g. in an imported log).
-- Status, in this order of precedence:
--   unknown   no counted probe in the window: 无探测数据
--   pass/fail every day of the window has >= min_probes_per_day counted probes:
--             fail iff failures >= max_fail_ratio × probes
--   fail      some day is short, yet the share reaches max_fail_ratio even in the best case for
--             the site: every short day topped up to max(min_probes_per_day, the site's busiest day
--             in the window) with successful probes (the failures seen are enough to decide)
--   unknown   otherwise, naming the short days: "2026-09-24、2026-09-25 探测次数不足20次"
-- Counts come from staging.stg_probe__site_days (per site, day, class and 5-second band of latency,
--   kept as probes land); the probes themselves are read only for a day whose latencies straddle the
--   timeout, and for the failed probes of a site that does not pass.
-- Evidence: counts per day and in all, failures by class, the first and last failure; a site that
--   does not pass also lists its failed probes (time, URL, status, class, latency, source).
with params as (
    select
        (%(as_of)s::timestamptz at time zone %(tz)s)::date as end_day,  -- first day not in the window
        %(availability__window_days)s::int as window_days,
        %(availability__min_probes_per_day)s::int as min_per_day,
        %(availability__max_fail_ratio)s::numeric as max_ratio,
        %(availability__timeout_seconds)s::numeric as timeout_s,
        %(tz)s::text as tz
),

bounds as (
    select
        p.*,
        p.end_day - p.window_days as first_day,
        p.end_day - 1 as last_day
    from params as p
),

inspected as (
    select site_id, site_code, url from registry.inspected_sites
),

window_days as (
    select d::date as day
    from bounds as b, generate_series(b.first_day, b.last_day, interval '1 day') as d
),

-- every probe with its outcome, written once; read only where the day's counts cannot say (below)
-- and for the failed probes of a site that does not pass, a site at a time through an index on
-- (site_id, probed_at). Per probe only cheap work: the outcome is a small integer, the timeout
-- a whole number of milliseconds (as latency_ms is).
probes as not materialized (
    select
        p.site_id,
        p.probed_at,
        p.round_id,
        p.ok,
        p.url,
        p.status_code,
        p.latency_ms,
        p.error_detail,
        -- a probe that opened only after the timeout fails as a timeout
        case when p.ok then 'timeout' else p.error_class end as error_class,
        -- 0 ok, 1 failed, 2 blocked, 3 control_failed, 4 short_timeout
        case
            -- rounds whose control probe failed: our network was down, not theirs
            when p.round_id in (select r.round_id from raw.probe__rounds as r where r.control_ok is false) then 3
            when p.error_class = 'blocked' then 2
            when p.error_class = 'timeout'
                 and p.latency_ms < ceil(%(availability__timeout_seconds)s::numeric * 1000)::int then 4
            when p.ok and p.latency_ms >= ceil(%(availability__timeout_seconds)s::numeric * 1000)::int then 1
            when p.ok then 0
            else 1
        end as outcome
    from raw.probe__probes as p
),

-- The window's counts, from staging.stg_probe__site_days (one row per site, day, class and 5-second
-- band of latency, kept by triggers as probes land). A row gives one outcome when its latencies all
-- lie on one side of the timeout (always, for a timeout in whole 5 s): an opened homepage fails
-- (as a timeout) at or after it, a timeout error given up before it is not counted; a probe without
-- latency counts as the opened page's success or the timeout error's failure, as above. A row that
-- straddles the timeout sends its site and day back to the probes themselves.
site_day_rows as (
    select
        d.*,
        case
            when d.outcome_class = 'control_failed' then 3
            when d.outcome_class = 'blocked' then 2
            when d.outcome_class = 'ok' then
                case
                    when coalesce(d.max_latency_ms, -1) < ceil(b.timeout_s * 1000)::int then 0
                    when d.latency_nulls = 0 and d.min_latency_ms >= ceil(b.timeout_s * 1000)::int then 1
                end
            when d.outcome_class = 'timeout' then
                case
                    when d.latency_nulls = 0 and d.max_latency_ms < ceil(b.timeout_s * 1000)::int then 4
                    when coalesce(d.min_latency_ms, 2147483647) >= ceil(b.timeout_s * 1000)::int then 1
                end
            else 1
        end as outcome
    from staging.stg_probe__site_days as d
    cross join bounds as b
    where d.probe_day between b.first_day and b.last_day
),

straddling as materialized (
    select distinct r.site_id, r.probe_day as day
    from site_day_rows as r
    where r.outcome is null
),

-- counts per site, day and outcome (and a failure's class), the first and last failure
probe_groups as (
    select
        r.probe_day as day,
        r.site_id,
        r.outcome,
        case when r.outcome = 1 then case when r.outcome_class = 'ok' then 'timeout' else r.outcome_class end
        end as failed_class,
        r.probes as n,
        case when r.outcome = 1 then r.first_at end as first_failure_at,
        case when r.outcome = 1 then r.last_at end as last_failure_at
    from site_day_rows as r
    where not exists (select from straddling as s where s.site_id = r.site_id and s.day = r.probe_day)
    union all
    select s.day, g.*
    from straddling as s
    cross join bounds as b
    cross join lateral (
        select
            p.site_id,
            p.outcome,
            case when p.outcome = 1 then p.error_class end as failed_class,
            count(*) as n,
            min(p.probed_at) filter (where p.outcome = 1) as first_failure_at,
            max(p.probed_at) filter (where p.outcome = 1) as last_failure_at
        from probes as p
        where p.site_id = s.site_id
          and p.probed_at >= s.day::timestamp at time zone b.tz
          and p.probed_at < (s.day + 1)::timestamp at time zone b.tz
        group by p.site_id, p.outcome, case when p.outcome = 1 then p.error_class end
    ) as g
),

probe_days as (
    select
        site_id,
        day,
        coalesce(sum(n) filter (where outcome in (0, 1)), 0) as probes,
        coalesce(sum(n) filter (where outcome = 1), 0) as failures,
        coalesce(sum(n) filter (where outcome = 2), 0) as blocked,
        coalesce(sum(n) filter (where outcome = 3), 0) as control_failed,
        coalesce(sum(n) filter (where outcome = 4), 0) as short_timeout
    from probe_groups
    group by site_id, day
),

daily as (
    select
        s.site_id,
        d.day,
        coalesce(pd.probes, 0) as probes,
        coalesce(pd.failures, 0) as failures,
        coalesce(pd.blocked, 0) as blocked,
        coalesce(pd.control_failed, 0) as control_failed,
        coalesce(pd.short_timeout, 0) as short_timeout
    from inspected as s
    cross join window_days as d
    left join probe_days as pd on pd.site_id = s.site_id and pd.day = d.day
),

daily_with_busiest as (
    select daily.*, max(daily.probes) over (partition by daily.site_id) as busiest
    from daily
),

per_site as (
    select
        d.site_id,
        sum(d.probes)::int as probes,
        sum(d.failures)::int as failures,
        sum(d.blocked)::int as blocked,
        sum(d.control_failed)::int as control_failed,
        sum(d.short_timeout)::int as short_timeout,
        sum(case when d.probes < b.min_per_day then greatest(b.min_per_day, d.busiest) - d.probes else 0 end)::int
            as top_up,
        array_agg(to_char(d.day, 'YYYY-MM-DD') order by d.day) filter (where d.probes < b.min_per_day) as short_days,
        jsonb_agg(to_jsonb(dd) order by d.day) as daily
    from daily_with_busiest as d
    cross join bounds as b
    -- a day's object: keys are these columns' names (to_jsonb of a row costs about a third less than
    -- jsonb_build_object of its pairs)
    cross join lateral (
        select to_char(d.day, 'YYYY-MM-DD') as day, d.probes as probes, d.failures as failures,
               d.blocked as blocked, d.control_failed as control_failed
    ) as dd
    group by d.site_id
),

failures as (
    select site_id, jsonb_object_agg(failed_class, n) as by_class, min(first_failure_at) as first_failure_at,
           max(last_failure_at) as last_failure_at
    from (select site_id, failed_class, sum(n) as n, min(first_failure_at) as first_failure_at,
                 max(last_failure_at) as last_failure_at
          from probe_groups where outcome = 1 group by site_id, failed_class) as c
    group by site_id
),

decided as (
    select
        s.site_id,
        s.url,
        ps.probes,
        ps.failures,
        ps.blocked,
        ps.control_failed,
        ps.short_timeout,
        ps.top_up,
        ps.short_days,
        ps.daily,
        f.first_failure_at,
        f.last_failure_at,
        f.by_class,
        case
            when ps.probes = 0 then 'unknown'
            when ps.short_days is null
                then case when ps.failures >= b.max_ratio * ps.probes then 'fail' else 'pass' end
            when ps.failures >= b.max_ratio * (ps.probes + ps.top_up) then 'fail'
            else 'unknown'
        end as status
    from inspected as s
    join per_site as ps on ps.site_id = s.site_id
    left join failures as f on f.site_id = s.site_id
    cross join bounds as b
),

-- the failed probes themselves, for the sites that do not pass (a pass needs no list)
failing_sites as (
    select d.site_id from decided as d where d.status <> 'pass' and d.failures > 0
),

failed_probes as (
    -- the homepage did not open: each such site's week through the index of such probes
    select f.*
    from failing_sites as s
    cross join bounds as b
    cross join lateral (
        select * from probes as p
        where p.site_id = s.site_id and not p.ok and p.outcome = 1
          and p.probed_at >= (b.first_day)::timestamp at time zone b.tz
          and p.probed_at < (b.last_day + 1)::timestamp at time zone b.tz
        offset 0  -- kept a lookup per site: never flattened into a second pass over the window
    ) as f
    union all
    -- it opened only after the timeout: the days whose counts show such a probe, through the
    -- (site_id, probed_at) index
    select f.*
    from failing_sites as s
    join (select distinct site_id, probe_day from site_day_rows
          where outcome_class = 'ok' and outcome is distinct from 0) as sd using (site_id)
    cross join bounds as b
    cross join lateral (
        select * from probes as p
        where p.site_id = sd.site_id and p.ok and p.outcome = 1
          and p.probed_at >= sd.probe_day::timestamp at time zone b.tz
          and p.probed_at < (sd.probe_day + 1)::timestamp at time zone b.tz
        offset 0
    ) as f
),

failed as (
    select
        f.site_id,
        jsonb_agg(to_jsonb(fp) order by f.probed_at) as failed_probes
    from failed_probes as f
    cross join bounds as b
    join raw.probe__rounds as r on r.round_id = f.round_id
    cross join lateral (
        select to_char(f.probed_at at time zone b.tz, 'YYYY-MM-DD"T"HH24:MI:SS"+08:00"') as at, f.url as url,
               f.status_code as status, f.error_class as error_class, f.error_detail as error_detail,
               f.latency_ms as latency_ms, r.source as source
    ) as fp
    group by f.site_id
),

w_v2__site__unreachable as (
    select
        'site'::text as entity_type,
        d.site_id as entity_id,
        'W-V2'::text as indicator,
        d.status,
        case when d.status = 'fail' then '监测时间点无法访问' end as problem,
        case
            when d.status <> 'unknown' then null
            when d.probes = 0 then
                '无探测数据（' || to_char(b.first_day, 'YYYY-MM-DD') || '至' || to_char(b.last_day, 'YYYY-MM-DD') || '）'
                || case when d.blocked + d.control_failed + d.short_timeout > 0 then
                       '：不计入的探测 ' || (d.blocked + d.control_failed + d.short_timeout)::text || ' 次（被防火墙拦截 '
                       || d.blocked::text || '，对照探测失败 ' || d.control_failed::text || '，超时设置过短 '
                       || d.short_timeout::text || '）'
                   else '' end
            else array_to_string(d.short_days, '、') || ' 探测次数不足' || b.min_per_day::text || '次'
        end as reason,
        jsonb_strip_nulls(jsonb_build_object(
            'url', d.url,
            'window', jsonb_build_object('from', to_char(b.first_day, 'YYYY-MM-DD'),
                                         'to', to_char(b.last_day, 'YYYY-MM-DD'), 'days', b.window_days),
            'rule', jsonb_build_object('max_fail_ratio', b.max_ratio, 'min_probes_per_day', b.min_per_day,
                                       'timeout_seconds', b.timeout_s),
            'probes', d.probes,
            'failures', d.failures,
            'fail_ratio', case when d.probes > 0 then round(d.failures::numeric / d.probes, 4) end,
            'failures_by_class', d.by_class,
            'not_counted', jsonb_build_object('blocked', d.blocked, 'control_failed', d.control_failed,
                                              'short_timeout', d.short_timeout),
            'short_days', to_jsonb(d.short_days),
            'decided_despite_short_days', case when d.status = 'fail' and d.short_days is not null then
                jsonb_build_object('top_up_probes', d.top_up,
                                   'worst_case_ratio', round(d.failures::numeric / (d.probes + d.top_up), 4)) end,
            'first_failure_at', to_char(d.first_failure_at at time zone b.tz, 'YYYY-MM-DD"T"HH24:MI:SS"+08:00"'),
            'last_failure_at', to_char(d.last_failure_at at time zone b.tz, 'YYYY-MM-DD"T"HH24:MI:SS"+08:00"'),
            'daily', d.daily,
            'failed_probes', fl.failed_probes
        )) as evidence
    from decided as d
    cross join bounds as b
    left join failed as fl on fl.site_id = d.site_id
)

select * from w_v2__site__unreachable
