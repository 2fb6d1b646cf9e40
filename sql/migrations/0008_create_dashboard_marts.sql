-- What the Superset dashboards read (dashboards/): marts with the region keys row-level security
-- filters on. Every view here has region_code (the entity's 行政区划代码, or the roll-up's scope),
-- region_name, prefecture_code (its 地市: PPCC00) and prefecture_name, so one RLS clause per viewer
-- (region_code = '…' for a county, prefecture_code = '…' for a prefecture) fits every dataset.
-- Views only: they read the verdict, probe, crawl and media marts (and, where no mart exists yet,
-- the raw/staging tables behind them) and never change them.

-- ---- verdicts ----------------------------------------------------------------------------------

-- one row per quarter × scope (a prefecture: every entity in it; a county: its own) × entity type ×
-- category ('全部' = all); from marts.fct_quarterly_rollup
create or replace view marts.fct_region_quarterly_rollup as
with rollup as (
    select * from marts.fct_quarterly_rollup
),
regions as (
    select * from registry.regions
),
fct_region_quarterly_rollup as (
    select
        r.quarter,
        r.scope_level,
        case r.scope_level when 'prefecture' then '全市' else '区县' end as scope_label,
        r.scope_code as region_code,
        coalesce(r.scope_name, r.scope_code) as region_name,
        substr(r.scope_code, 1, 4) || '00' as prefecture_code,
        coalesce(p.name, substr(r.scope_code, 1, 4) || '00') as prefecture_name,
        r.entity_type,
        r.entity_label,
        r.category,
        r.total,
        r.passed,
        r.failed,
        r.undecided,
        r.pending,
        r.pass_rate,
        r.previous_total,
        r.previous_pass_rate,
        r.pass_rate_change
    from rollup as r
    left join regions as p on p.region_code = substr(r.scope_code, 1, 4) || '00'
)
select * from fct_region_quarterly_rollup;

-- one row per published verdict and problem (the 主要问题 mix); from marts.fct_entity_verdicts
create or replace view marts.fct_quarterly_problems as
with verdicts as (
    select * from marts.fct_entity_verdicts
),
fct_quarterly_problems as (
    select
        v.quarter,
        v.entity_type,
        v.entity_label,
        v.category,
        v.entity_id,
        v.name,
        v.code,
        v.url,
        v.organizer,
        v.platform,
        v.kind,
        v.region_code,
        coalesce(v.region_name, v.region_code) as region_name,
        v.prefecture_code,
        coalesce(v.prefecture_name, v.prefecture_code) as prefecture_name,
        v.verdict,
        v.score,
        p.problem,
        p.n as problem_no
    from verdicts as v
    cross join lateral unnest(v.problems) with ordinality as p(problem, n)
)
select * from fct_quarterly_problems;

-- one row per review item (机器初筛 or 人工录入) with its latest decision and the entity's names;
-- from verdicts.current_review, the quarter's published verdicts, else the registry
create or replace view marts.fct_review_items as
with review as (
    select * from verdicts.current_review
),
published as (
    select v.* from verdicts.published as p
    join verdicts.entity_verdicts as v on v.run_id = p.run_id
),
registry_entities as (
    select 'site'::text as entity_type, site_id as entity_id, name, site_code as code, organizer, region_code,
           null::text as platform
    from registry.sites
    union all
    select 'account', account_id, name, platform || ':' || coalesce(platform_account_id, name), organizer,
           region_code, platform
    from registry.accounts
),
indicators as (
    select * from verdicts.indicators
),
regions as (
    select * from registry.regions
),
fct_review_items as (
    select
        r.item_id,
        r.quarter,
        r.entity_type,
        case r.entity_type when 'site' then '网站' else '政务新媒体' end as entity_label,
        r.entity_id,
        coalesce(pv.name, re.name) as name,
        coalesce(pv.code, re.code) as code,
        coalesce(pv.organizer, re.organizer) as organizer,
        coalesce(pv.platform, re.platform) as platform,
        coalesce(pv.region_code, re.region_code) as region_code,
        coalesce(rg.name, pv.region_code, re.region_code) as region_name,
        substr(coalesce(pv.region_code, re.region_code), 1, 4) || '00' as prefecture_code,
        coalesce(pr.name, substr(coalesce(pv.region_code, re.region_code), 1, 4) || '00') as prefecture_name,
        r.indicator,
        i.title as indicator_title,
        r.problem,
        case r.source when 'machine' then '机器初筛' else '人工录入' end as source_label,
        case r.decision when '确认' then '已确认' when '排除' then '已排除' else '待审核' end as review_status,
        r.reviewer,
        r.reason,
        r.decision_evidence,
        r.created_at,
        r.decided_at
    from review as r
    left join published as pv
        on pv.quarter = r.quarter and pv.entity_type = r.entity_type and pv.entity_id = r.entity_id
    left join registry_entities as re on re.entity_type = r.entity_type and re.entity_id = r.entity_id
    left join indicators as i on i.indicator = r.indicator
    left join regions as rg on rg.region_code = coalesce(pv.region_code, re.region_code)
    left join regions as pr on pr.region_code = substr(coalesce(pv.region_code, re.region_code), 1, 4) || '00'
)
select * from fct_review_items;

-- one row per published finding (quarter × entity × problem) with its 复核: the quarter's latest
-- recheck run (verdicts.runs kind 'recheck') says whether the problem is gone; from
-- marts.fct_quarterly_problems and verdicts.entity_verdicts
create or replace view marts.fct_rectification_findings as
with findings as (
    select * from marts.fct_quarterly_problems
),
rechecks as (
    select distinct on (quarter) run_id, quarter, as_of
    from verdicts.runs
    where kind = 'recheck' and status in ('computed', 'published')
    order by quarter, as_of desc, run_id desc
),
recheck_verdicts as (
    select v.*, rc.as_of as recheck_as_of
    from verdicts.entity_verdicts as v
    join rechecks as rc on rc.run_id = v.run_id
),
fct_rectification_findings as (
    select
        f.*,
        rv.recheck_as_of,
        rv.verdict as recheck_verdict,
        case
            when rv.entity_id is null then '待复核'
            when f.problem = any(rv.problems) then '未整改'
            when rv.verdict = '无法判定' then '复核无法判定'
            else '已整改'
        end as rectification_status
    from findings as f
    left join recheck_verdicts as rv
        on rv.quarter = f.quarter and rv.entity_type = f.entity_type and rv.entity_id = f.entity_id
)
select * from fct_rectification_findings;

-- one row per inspected account and published quarter: days since its newest post at the 监测时间点,
-- as the M-V2 check saw it (its evidence); from verdicts.check_results and verdicts.run_entities
create or replace view marts.fct_account_update_age as
with published as (
    select p.quarter, p.run_id, r.as_of from verdicts.published as p
    join verdicts.runs as r on r.run_id = p.run_id
),
entities as (
    select * from verdicts.run_entities where entity_type = 'account'
),
m_v2 as (
    select distinct on (run_id, entity_id) *
    from verdicts.check_results
    where entity_type = 'account' and indicator = 'M-V2'
    order by run_id, entity_id, check_name
),
regions as (
    select * from registry.regions
),
fct_account_update_age as (
    select
        p.quarter,
        p.as_of,
        e.entity_id as account_id,
        e.name,
        e.code,
        e.platform,
        e.account_type,
        e.organizer,
        e.region_code,
        coalesce(rg.name, e.region_code) as region_name,
        substr(e.region_code, 1, 4) || '00' as prefecture_code,
        coalesce(pr.name, substr(e.region_code, 1, 4) || '00') as prefecture_name,
        c.status as check_status,
        case c.status when 'pass' then '按时更新' when 'fail' then '超期未更新' when 'unknown' then '无法判定'
                      when 'review' then '待审核' else '未检查' end as update_status,
        (c.evidence ->> 'days_since_post')::integer as days_since_post,
        (c.evidence ->> 'newest_post_at')::timestamptz as newest_post_at,
        (c.evidence ->> 'max_days')::integer as max_days,
        c.problem,
        c.reason
    from published as p
    join entities as e on e.run_id = p.run_id
    left join m_v2 as c on c.run_id = p.run_id and c.entity_id = e.entity_id
    left join regions as rg on rg.region_code = e.region_code
    left join regions as pr on pr.region_code = substr(e.region_code, 1, 4) || '00'
)
select * from fct_account_update_age;

-- ---- probes ------------------------------------------------------------------------------------

-- one row per site and Asia/Shanghai day with probes; from marts.fct_site_availability_daily
create or replace view marts.fct_site_availability_by_day as
with daily as (
    select * from marts.fct_site_availability_daily
),
sites as (
    select * from registry.sites
),
regions as (
    select * from registry.regions
),
fct_site_availability_by_day as (
    select
        d.probe_day,
        extract(year from d.probe_day)::text || 'Q' || extract(quarter from d.probe_day)::text as quarter,
        s.site_id,
        s.site_code,
        s.name as site_name,
        s.kind,
        s.organizer,
        s.url,
        s.region_code,
        coalesce(rg.name, s.region_code) as region_name,
        substr(s.region_code, 1, 4) || '00' as prefecture_code,
        coalesce(pr.name, substr(s.region_code, 1, 4) || '00') as prefecture_name,
        d.probes,
        d.failures,
        d.blocked,
        d.control_failed,
        round(d.failures::numeric / nullif(d.probes, 0), 4) as fail_ratio,
        d.avg_ok_latency_ms,
        d.first_failure_at,
        d.last_failure_at
    from daily as d
    join sites as s on s.site_id = d.site_id
    left join regions as rg on rg.region_code = s.region_code
    left join regions as pr on pr.region_code = substr(s.region_code, 1, 4) || '00'
)
select * from fct_site_availability_by_day;

-- ---- crawls ------------------------------------------------------------------------------------

-- the latest successful crawl of each site, and the thresholds of the latest published profile
-- (display flags only: the W-V4 / W-V5 checks decide verdicts)
create or replace view marts.dim_site_latest_crawl as
with crawls as (
    select * from marts.fct_gov_site__homepage
),
latest as (
    select distinct on (site_id) crawl_run_id, site_id, started_at,
           (started_at at time zone 'Asia/Shanghai')::date as crawl_date
    from crawls
    where outcome = 'ok'
    order by site_id, started_at desc
),
profile as (
    select r.profile from verdicts.published as p
    join verdicts.runs as r on r.run_id = p.run_id
    order by p.quarter desc
    limit 1
),
sites as (
    select * from registry.sites
),
regions as (
    select * from registry.regions
),
dim_site_latest_crawl as (
    select
        l.crawl_run_id,
        l.site_id,
        l.started_at as crawled_at,
        l.crawl_date,
        extract(year from l.crawl_date)::text || 'Q' || extract(quarter from l.crawl_date)::text as quarter,
        s.site_code,
        s.name as site_name,
        s.kind,
        s.organizer,
        s.url,
        s.region_code,
        coalesce(rg.name, s.region_code) as region_name,
        substr(s.region_code, 1, 4) || '00' as prefecture_code,
        coalesce(pr.name, substr(s.region_code, 1, 4) || '00') as prefecture_name,
        (pf.profile -> 'columns' ->> 'dynamic_max_days')::integer as dynamic_max_days,
        (pf.profile -> 'columns' ->> 'notice_policy_max_days')::integer as notice_policy_max_days,
        (pf.profile -> 'columns' ->> 'long_term_max_days')::integer as long_term_max_days,
        (pf.profile -> 'interaction' ->> 'max_reply_days')::integer as max_reply_days,
        (pf.profile -> 'interaction' ->> 'lookback_days')::integer as lookback_days
    from latest as l
    join sites as s on s.site_id = l.site_id
    left join profile as pf on true
    left join regions as rg on rg.region_code = s.region_code
    left join regions as pr on pr.region_code = substr(s.region_code, 1, 4) || '00'
)
select * from dim_site_latest_crawl;

-- one row per column of each site's latest crawl: latest item date, days without update, blank;
-- from marts.fct_gov_site__columns
create or replace view marts.fct_site_latest_columns as
with crawl as (
    select * from marts.dim_site_latest_crawl
),
columns as (
    select * from marts.fct_gov_site__columns where kind = 'column'
),
typed as (
    select
        k.*,
        c.column_url,
        coalesce(nullif(c.name, ''), c.column_url) as column_name,
        c.level as column_level,
        c.column_type,
        case c.column_type when 'dynamic_news' then '动态要闻' when 'notice' then '通知公告' when 'policy' then '政策文件'
             when 'personnel' then '人事信息' when 'plan' then '规划计划' when 'interaction' then '互动交流'
             when 'service' then '办事服务' else '其他' end as column_type_label,
        c.is_blank,
        c.fail_class,
        c.items,
        c.latest_date,
        c.latest_item_url,
        k.crawl_date - c.latest_date as days_since_update,
        case when c.column_type = 'dynamic_news' then k.dynamic_max_days
             when c.column_type in ('notice', 'policy') then k.notice_policy_max_days
             else k.long_term_max_days end as max_days
    from crawl as k
    join columns as c on c.crawl_run_id = k.crawl_run_id and c.site_id = k.site_id
),
fct_site_latest_columns as (
    select
        t.*,
        case
            when t.fail_class is not null then '无法读取'
            when t.is_blank then '空白栏目'
            when t.latest_date is null then '无日期'
            when t.max_days is not null and t.days_since_update > t.max_days then '超期未更新'
            else '正常'
        end as column_status
    from typed as t
)
select * from fct_site_latest_columns;

-- one row per broken link found by each site's latest crawl; from marts.fct_gov_site__broken_links
create or replace view marts.fct_site_latest_broken_links as
with crawl as (
    select * from marts.dim_site_latest_crawl
),
links as (
    select * from marts.fct_gov_site__broken_links
),
fct_site_latest_broken_links as (
    select
        k.crawl_run_id, k.site_id, k.crawled_at, k.crawl_date, k.quarter, k.site_code, k.site_name, k.kind,
        k.organizer, k.url as site_url, k.region_code, k.region_name, k.prefecture_code, k.prefecture_name,
        l.url as link_url,
        l.parent_url,
        l.on_homepage,
        case when l.on_homepage then '首页' else '其他页面' end as link_place,
        case l.link_kind when 'image' then '图片' when 'attachment' then '附件' else '网页' end as link_kind_label,
        l.is_outbound,
        l.status as http_status,
        coalesce(l.error_class, 'http_' || l.status::text) as error_class,
        l.error_detail,
        l.checked_at
    from crawl as k
    join links as l on l.crawl_run_id = k.crawl_run_id and l.site_id = k.site_id
)
select * from fct_site_latest_broken_links;

-- one row per letter (领导信箱 / 留言) listed by each site's latest crawl, with its reply time and
-- whether it is overdue (unanswered or answered after max_reply_days, asked within lookback_days);
-- from raw.gov_site__letters (no mart exists for letters yet)
create or replace view marts.fct_site_latest_letters as
with crawl as (
    select * from marts.dim_site_latest_crawl
),
letters as (
    select distinct on (crawl_run_id, site_id, coalesce(letter_url, list_url || '#' || page_no || '.' || position))
        *
    from raw.gov_site__letters
    order by crawl_run_id, site_id, coalesce(letter_url, list_url || '#' || page_no || '.' || position), page_no, position
),
timed as (
    select
        k.crawl_run_id, k.site_id, k.crawled_at, k.crawl_date, k.quarter, k.site_code, k.site_name, k.organizer,
        k.region_code, k.region_name, k.prefecture_code, k.prefecture_name, k.max_reply_days, k.lookback_days,
        l.letter_url,
        l.title,
        l.asked_date,
        l.replied_date,
        l.status_text,
        l.replied_date is not null as replied,
        coalesce(l.replied_date, k.crawl_date) - l.asked_date as reply_days
    from crawl as k
    join letters as l on l.crawl_run_id = k.crawl_run_id and l.site_id = k.site_id
),
fct_site_latest_letters as (
    select
        t.*,
        case when t.replied then '已回复' else '未回复' end as reply_status,
        t.asked_date >= t.crawl_date - t.lookback_days as in_lookback,
        t.asked_date >= t.crawl_date - t.lookback_days and t.reply_days > t.max_reply_days as overdue
    from timed as t
)
select * from fct_site_latest_letters;

-- ---- new media ---------------------------------------------------------------------------------

-- one row per inspected account and adapter: the collector's latest state; from
-- marts.fct_media_collector_health
create or replace view marts.fct_media_collector_status as
with health as (
    select * from marts.fct_media_collector_health
),
regions as (
    select * from registry.regions
),
fct_media_collector_status as (
    select
        h.*,
        coalesce(rg.name, h.region_code) as region_name,
        substr(h.region_code, 1, 4) || '00' as prefecture_code,
        coalesce(pr.name, substr(h.region_code, 1, 4) || '00') as prefecture_name,
        coalesce(h.adapter, case when h.last_status = 'never' then '未采集' else '未识别' end) as adapter_label
    from health as h
    left join regions as rg on rg.region_code = h.region_code
    left join regions as pr on pr.region_code = substr(h.region_code, 1, 4) || '00'
)
select * from fct_media_collector_status;

-- one row per collection day, account region, platform and fetch status: how many accounts the
-- collector read; from staging.stg_media__fetches (marts.fct_media_daily_collection has no region)
create or replace view marts.fct_media_daily_collection_by_region as
with fetches as (
    select * from staging.stg_media__fetches
),
accounts as (
    select * from registry.accounts
),
regions as (
    select * from registry.regions
),
fct_media_daily_collection_by_region as (
    select
        f.collect_date,
        extract(year from f.collect_date)::text || 'Q' || extract(quarter from f.collect_date)::text as quarter,
        a.region_code,
        coalesce(rg.name, a.region_code) as region_name,
        substr(a.region_code, 1, 4) || '00' as prefecture_code,
        coalesce(pr.name, substr(a.region_code, 1, 4) || '00') as prefecture_name,
        f.platform,
        f.status,
        case f.status when 'ok' then '正常' when 'empty' then '无内容' when 'vanished' then '搜索不到'
                      when 'blocked' then '被拒绝' when 'error' then '出错' when 'unconfigured' then '未配置采集地址'
                      else f.status end as status_label,
        count(*) as accounts,
        sum(f.post_count) as posts,
        sum(f.requests) as requests,
        sum(f.errors) as request_errors
    from fetches as f
    join accounts as a on a.account_id = f.account_id
    left join regions as rg on rg.region_code = a.region_code
    left join regions as pr on pr.region_code = substr(a.region_code, 1, 4) || '00'
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9
)
select * from fct_media_daily_collection_by_region;
