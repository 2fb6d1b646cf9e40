-- indicator: W-V3
-- entity: site
-- grain: one row per inspected site
--
-- W-V3 首页不更新 (国办秘函〔2019〕19号): "监测2周，首页无信息更新的，即单项否决。如首页仅为网站栏目导航入口，
-- 所有二级页面无信息更新的，即单项否决。" From the site crawls (raw.gov_site__site_crawls), the
-- homepage's items (staging.stg_gov_site__homepage_items) and the columns' items
-- (staging.stg_gov_site__column_items).
--
-- The crawl: the site's crawl nearest to the 监测时间点, one on or after its date first, at most
--   collection.max_crawl_gap_days away (else unknown).
-- Days are Asia/Shanghai calendar days. An item's age is as_of's date minus its date: with
--   homepage.max_days_without_update = 14 an item 13 days old passes, 14 days old fails (age >= N).
--   Items dated after as_of's date are ignored. An item's date is its article's meta PubDate when
--   the article was read, else the date printed beside it (INDICATORS.md G-M1).
-- Items without a date count as not updated ("未注明信息发布时间的视为不更新"): a homepage with items
--   but no dated one fails.
-- Status:
--   unknown  no crawl near as_of; the homepage could not be read (W-V2 judges availability);
--            a navigation-only homepage whose second-level pages could not be read
--   review   the homepage is only navigation (machine-judged: no dated items, at most 2 headline
--            links) and no second-level page has an item within the window: 首页不更新, for a
--            reviewer to confirm that the homepage really is only a navigation entrance
--   fail     newest homepage item older than the window, or no dated item: 首页不更新
--   pass     otherwise (a navigation-only homepage passes when a second-level page is fresh)
with params as (
    select
        (%(as_of)s::timestamptz at time zone %(tz)s)::date as as_of_date,
        %(homepage__max_days_without_update)s::int as max_days,
        %(collection__max_crawl_gap_days)s::int as max_gap,
        %(tz)s::text as tz
),

inspected as (
    select site_id, site_code, url from registry.inspected_sites
),

crawl as (
    select c.* from params as p
    cross join lateral staging.gov_site_crawl_nearest(p.as_of_date, p.max_gap, p.tz) as c
),

home_items as (
    select h.crawl_run_id, h.site_id, h.item_url, h.title, h.item_date, h.position
    from staging.stg_gov_site__homepage_items as h
    join crawl as c using (crawl_run_id, site_id)
),

home as (
    select
        hi.site_id,
        count(*) as items,
        count(hi.item_date) filter (where hi.item_date <= p.as_of_date) as dated_items,
        max(hi.item_date) filter (where hi.item_date <= p.as_of_date) as newest_date,
        (array_agg(hi.item_url order by hi.item_date desc nulls last, hi.position)
            filter (where hi.item_date <= p.as_of_date))[1] as newest_url
    from home_items as hi
    cross join params as p
    group by hi.site_id
),

-- second-level pages matter only where the homepage is navigation only
second_level as (
    select
        ci.site_id,
        max(ci.item_date) filter (where ci.item_date <= p.as_of_date) as newest_date,
        (array_agg(ci.item_url order by ci.item_date desc nulls last)
            filter (where ci.item_date <= p.as_of_date))[1] as newest_url,
        (array_agg(ci.column_url order by ci.item_date desc nulls last)
            filter (where ci.item_date <= p.as_of_date))[1] as newest_column_url
    from staging.stg_gov_site__column_items as ci
    join crawl as c using (crawl_run_id, site_id)
    join raw.gov_site__columns as col
        on col.crawl_run_id = ci.crawl_run_id and col.site_id = ci.site_id and col.column_url = ci.column_url
    cross join params as p
    where col.kind = 'column' and c.navigation_only
    group by ci.site_id
),

columns_read as (
    select col.site_id, count(*) filter (where col.fail_class is null) as n
    from raw.gov_site__columns as col
    join crawl as c using (crawl_run_id, site_id)
    where col.kind = 'column' and c.navigation_only
    group by col.site_id
),

judged as (
    select
        i.site_id,
        c.crawl_run_id,
        c.started_at,
        c.outcome,
        c.fail_class,
        c.homepage_url,
        c.homepage_status,
        c.navigation_only,
        p.max_days,
        p.max_gap,
        coalesce(h.items, 0) as items,
        coalesce(h.dated_items, 0) as dated_items,
        h.newest_date,
        h.newest_url,
        p.as_of_date - h.newest_date as age_days,
        sl.newest_date as second_newest_date,
        sl.newest_url as second_newest_url,
        sl.newest_column_url as second_newest_column_url,
        p.as_of_date - sl.newest_date as second_age_days,
        coalesce(cr.n, 0) as second_columns_read,
        snap.snapshot_id,
        case
            when c.site_id is null then 'unknown'
            when c.outcome <> 'ok' then 'unknown'
            when c.navigation_only and coalesce(cr.n, 0) = 0 then 'unknown'
            when c.navigation_only and (sl.newest_date is null or p.as_of_date - sl.newest_date >= p.max_days)
                then 'review'
            when c.navigation_only then 'pass'
            when h.newest_date is null or p.as_of_date - h.newest_date >= p.max_days then 'fail'
            else 'pass'
        end as status
    from inspected as i
    cross join params as p
    left join crawl as c on c.site_id = i.site_id
    left join home as h on h.site_id = i.site_id
    left join second_level as sl on sl.site_id = i.site_id
    left join columns_read as cr on cr.site_id = i.site_id
    left join raw.gov_site__snapshots as snap
        on snap.crawl_run_id = c.crawl_run_id and snap.site_id = c.site_id and snap.url = c.homepage_url
),

w_v3__site__homepage_not_updated as (
    select
        'site'::text as entity_type,
        j.site_id as entity_id,
        'W-V3'::text as indicator,
        j.status,
        case when j.status in ('fail', 'review') then '首页不更新' end as problem,
        case
            when j.status = 'unknown' and j.crawl_run_id is null
                then '监测时间点前后' || j.max_gap || '天内无网站采集记录'
            when j.status = 'unknown' and j.outcome <> 'ok'
                then '首页未能采集（' || coalesce(j.fail_class, '未知原因') || '），首页更新情况无法判定'
            when j.status = 'unknown'
                then '首页仅为栏目导航入口，但未能读取任何二级栏目'
            when j.status = 'review'
                then '首页仅为栏目导航入口（机器判定，需人工确认）：所有二级页面'
                     || coalesce(j.second_age_days::text || '天', '均未')
                     || '无更新'
        end as reason,
        jsonb_strip_nulls(jsonb_build_object(
            'crawl_run_id', j.crawl_run_id,
            'crawled_at', j.started_at,
            'homepage_url', j.homepage_url,
            'http_status', j.homepage_status,
            'fail_class', j.fail_class,
            'snapshot_id', j.snapshot_id,
            'navigation_only', j.navigation_only,
            'homepage_items', j.items,
            'dated_items', j.dated_items,
            'newest_item_date', j.newest_date,
            'newest_item_url', j.newest_url,
            'age_days', j.age_days,
            'max_days', j.max_days,
            'second_level_newest_date', case when j.navigation_only then j.second_newest_date end,
            'second_level_newest_url', case when j.navigation_only then j.second_newest_url end,
            'second_level_newest_column_url', case when j.navigation_only then j.second_newest_column_url end,
            'second_level_age_days', case when j.navigation_only then j.second_age_days end,
            'second_level_columns_read', case when j.navigation_only then j.second_columns_read end,
            'note', case when j.status = 'fail' and j.newest_date is null and j.items > 0
                         then '首页信息均未注明发布时间（视为不更新）' end
        )) as evidence
    from judged as j
)

select * from w_v3__site__homepage_not_updated
order by entity_id
