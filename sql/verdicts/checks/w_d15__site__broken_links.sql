-- indicator: W-D15
-- entity: site
-- grain: one row per inspected site
--
-- W-D15 链接可用性 (deduction, not a veto; values [R], 2015 practice: "首页链接不可用每个扣1分，其他页面
-- 每个扣0.1分"). Every link on the homepage and on crawled pages was checked once per site (images
-- and attachments too; outbound links checked, not crawled): marts.fct_gov_site__broken_links
-- (HTTP >= 400 after a GET confirmation, refused, timeout, reset, redirect loop …; a link skipped by
-- robots.txt, a budget or the network policy, or one too large to download, is not broken).
-- Counted per distinct URL: homepage links (a broken URL linked from the homepage) and other
-- links (broken URLs seen only on other pages).
-- deduction_points = homepage × links.homepage_broken_link_points + other × links.other_broken_link_points
-- (uncapped here: the roll-up caps an indicator at its weight). Status fail (错链断链多, the 通报
-- wording) when homepage + other >= links.problem_min_broken; pass otherwise, with the points in
-- the evidence. Unknown: no crawl near as_of, homepage unreadable, or the link budget ran out
-- before the threshold was reached.
with params as (
    select
        (%(as_of)s::timestamptz at time zone %(tz)s)::date as as_of_date,
        %(links__homepage_broken_link_points)s::numeric as home_points,
        %(links__other_broken_link_points)s::numeric as other_points,
        %(links__problem_min_broken)s::int as min_broken,
        %(collection__max_crawl_gap_days)s::int as max_gap,
        %(tz)s::text as tz
),

inspected as (
    select site_id from registry.inspected_sites
),

crawl as (
    select c.* from params as p
    cross join lateral staging.gov_site_crawl_nearest(p.as_of_date, p.max_gap, p.tz) as c
),

broken as (
    select b.*
    from marts.fct_gov_site__broken_links as b
    join crawl as c using (crawl_run_id, site_id)
),

per_site as (
    select
        site_id,
        count(distinct url) filter (where on_homepage) as homepage_broken,
        count(distinct url) filter (where not on_homepage) as other_broken,
        jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
            'url', url, 'parent_url', parent_url, 'on_homepage', on_homepage, 'kind', link_kind,
            'outbound', is_outbound, 'http_status', status, 'error', error_class, 'checked_at', checked_at,
            'parent_snapshot_id', parent_snapshot_id))
            order by on_homepage desc, url) as links
    from broken
    group by site_id
),

judged as (
    select
        i.site_id,
        c.crawl_run_id,
        c.started_at,
        c.outcome,
        c.fail_class,
        c.links_checked,
        c.budget_hit,
        p.*,
        coalesce(ps.homepage_broken, 0) as homepage_broken,
        coalesce(ps.other_broken, 0) as other_broken,
        coalesce(ps.homepage_broken, 0) + coalesce(ps.other_broken, 0) as total_broken,
        round(coalesce(ps.homepage_broken, 0) * p.home_points + coalesce(ps.other_broken, 0) * p.other_points, 2)
            as deduction_points,
        ps.links
    from inspected as i
    cross join params as p
    left join crawl as c on c.site_id = i.site_id
    left join per_site as ps on ps.site_id = i.site_id
),

w_d15__site__broken_links as (
    select
        'site'::text as entity_type,
        j.site_id as entity_id,
        'W-D15'::text as indicator,
        case
            when j.crawl_run_id is null or j.outcome <> 'ok' then 'unknown'
            when j.total_broken >= j.min_broken then 'fail'
            when j.budget_hit && array['links', 'time'] then 'unknown'
            else 'pass'
        end as status,
        case
            when j.crawl_run_id is not null and j.outcome = 'ok' and j.total_broken >= j.min_broken
                then '错链断链多'
        end as problem,
        case
            when j.crawl_run_id is null then '监测时间点前后' || j.max_gap || '天内无网站采集记录'
            when j.outcome <> 'ok' then '首页未能采集（' || coalesce(j.fail_class, '未知原因') || '），链接无法检查'
            when j.total_broken < j.min_broken and j.budget_hit && array['links', 'time']
                then '链接检查因预算未完成，已发现断链' || j.total_broken || '个'
        end as reason,
        jsonb_strip_nulls(jsonb_build_object(
            'crawl_run_id', j.crawl_run_id,
            'crawled_at', j.started_at,
            'links_checked', j.links_checked,
            'homepage_broken', j.homepage_broken,
            'other_broken', j.other_broken,
            'problem_min_broken', j.min_broken,
            'homepage_points_each', j.home_points,
            'other_points_each', j.other_points,
            'deduction_points', case when j.crawl_run_id is not null and j.outcome = 'ok' then j.deduction_points end,
            'budget_hit', case when cardinality(j.budget_hit) > 0 then to_jsonb(j.budget_hit) end,
            'broken_links', j.links
        )) as evidence
    from judged as j
)

select * from w_d15__site__broken_links
order by entity_id
