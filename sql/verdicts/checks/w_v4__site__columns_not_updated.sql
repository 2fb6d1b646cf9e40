-- indicator: W-V4
-- entity: site
-- grain: one row per inspected site
--
-- W-V4 栏目不更新 (国办秘函〔2019〕19号): "1.监测时间点前2周内的动态、要闻类栏目，以及监测时间点前6个月内的
-- 通知公告、政策文件类一级栏目，累计超过（含）5个未更新。2.应更新但长期未更新的栏目数量超过（含）10个。
-- 3.空白栏目数量超过（含）5个。上述情况出现任意一种，即单项否决。"
-- From the site crawls, the column inventory (raw.gov_site__columns, kind 'column') and the
-- columns' items with effective dates (staging.stg_gov_site__column_items, through each column's
-- newest date kept in staging.stg_gov_site__column_newest).
--
-- The crawl: as in W-V3 (nearest to as_of, on or after its date first, within
--   collection.max_crawl_gap_days). Ages are as_of's date minus the column's newest item date
--   (Asia/Shanghai calendar days; items dated after as_of ignored); a column is stale when its age
--   is >= the window, or when none of its items carries a date (未注明发布时间的视为不更新).
-- (a) dynamic_news columns (any level) stale at columns.dynamic_max_days, plus notice/policy columns
--     of level 1 stale at columns.notice_policy_max_days; >= columns.stale_veto_count fails.
-- (b) "应更新但长期未更新": personnel and plan columns (人事、规划计划: the 1-year cadence, INDICATORS.md
--     G-C2) stale at columns.long_term_max_days; >= columns.long_term_veto_count fails.
-- (c) blank columns (有栏目无内容: the list page shows no item) >= columns.blank_veto_count fails.
--     Blank columns count for (c) only, never for (a)/(b).
-- A column whose list page could not be read is unmeasured: the site is unknown when counting the
-- unmeasured columns of a clause's kind could reach its threshold and no clause is already hit.
-- Problems: (a) or (b) 多个栏目更新不及时; (c) 空白栏目超过N个; both joined by '；'.
-- Evidence: per clause its count, threshold, hit and column URLs; `columns` lists every stale or blank
-- column (name, path, url, type, level, problem, newest item and its date, age, HTTP status, fetch
-- time, snapshot) — the 通报 annex of problem columns reads it.
with params as (
    select
        (%(as_of)s::timestamptz at time zone %(tz)s)::date as as_of_date,
        %(columns__dynamic_max_days)s::int as dynamic_max,
        %(columns__notice_policy_max_days)s::int as notice_policy_max,
        %(columns__long_term_max_days)s::int as long_term_max,
        %(columns__stale_veto_count)s::int as stale_veto,
        %(columns__long_term_veto_count)s::int as long_term_veto,
        %(columns__blank_veto_count)s::int as blank_veto,
        %(collection__max_crawl_gap_days)s::int as max_gap,
        %(tz)s::text as tz
),

inspected as (
    select site_id, site_code from registry.inspected_sites
),

crawl as (
    select c.* from params as p
    cross join lateral staging.gov_site_crawl_nearest(p.as_of_date, p.max_gap, p.tz) as c
),

-- per column of the crawl runs near as_of (the per-site choice of a crawl is applied where `columns`
-- joins `crawl`), its newest item dated on or before as_of's date. The newest date of each column's
-- items is kept as the crawl lands (staging.stg_gov_site__column_newest, migration 0018); it is the
-- answer whenever it is not after as_of's date. A column with an item dated later (a crawl made
-- after the 监测时间点) has its items read again, without those. A filter on the run alone keeps the
-- planner's row estimate right; computed once, apart (materialized), so that `columns` hashes it
-- whatever the estimate of the crawl's columns (looked up one column at a time, 420,000 lookups
-- took twice as long).
newest as materialized (
    select
        cn.crawl_run_id,
        cn.site_id,
        cn.column_url,
        case
            when cn.latest_date is null or cn.latest_date <= p.as_of_date then cn.latest_date
            else (select max(ci.item_date)
                  from staging.stg_gov_site__column_items as ci
                  where ci.crawl_run_id = cn.crawl_run_id and ci.site_id = cn.site_id
                    and ci.column_url = cn.column_url and ci.item_date <= p.as_of_date)
        end as latest_date
    from staging.stg_gov_site__column_newest as cn
    cross join params as p
    where cn.crawl_run_id in (
            select c.crawl_run_id
            from raw.gov_site__site_crawls as c
            where c.spider = 'gov_site'
              and abs((c.started_at at time zone %(tz)s)::date - (%(as_of)s::timestamptz at time zone %(tz)s)::date)
                  <= %(collection__max_crawl_gap_days)s::int)
),

-- every column of the crawl judged, narrow (what the counts need; a flagged one's other details are
-- read again by its key)
columns as materialized (
    select
        col.site_id,
        col.crawl_run_id,
        col.column_url,
        col.column_type,
        col.level,
        col.fail_class,
        n.latest_date,
        p.as_of_date - n.latest_date as age_days,
        case
            when col.fail_class is not null then 'unmeasured'
            when col.is_blank then 'blank'
            when col.column_type = 'dynamic_news'
                 and (n.latest_date is null or p.as_of_date - n.latest_date >= p.dynamic_max) then 'stale_a'
            when col.column_type in ('notice', 'policy') and col.level = 1
                 and (n.latest_date is null or p.as_of_date - n.latest_date >= p.notice_policy_max) then 'stale_a'
            when col.column_type in ('personnel', 'plan')
                 and (n.latest_date is null or p.as_of_date - n.latest_date >= p.long_term_max) then 'stale_b'
            else 'ok'
        end as finding,
        case
            when col.column_type = 'dynamic_news'
                 or (col.column_type in ('notice', 'policy') and col.level = 1) then 'a'
            when col.column_type in ('personnel', 'plan') then 'b'
        end as clause
    from raw.gov_site__columns as col
    join crawl as c using (crawl_run_id, site_id)
    cross join params as p
    left join newest as n using (crawl_run_id, site_id, column_url)
    where col.kind = 'column'
),

-- the columns found stale, blank or unmeasured (few), with what the evidence shows of each: the
-- path under its parent, the snapshot, and the newest item's URL
flagged as (
    select
        c.*,
        col.name,
        col.parent_url,
        col.blank_marker,
        col.list_status,
        col.list_fetched_at,
        concat_ws(' > ', parent.name, col.name) as path,
        snap.snapshot_id,
        lu.latest_url,
        case
            when c.finding = 'blank' then '空白栏目（' || coalesce(col.blank_marker, '无内容') || '）'
            when c.latest_date is null then '栏目信息均未注明发布时间（视为不更新）'
            else '超过' || c.age_days || '天未更新（最新信息 ' || c.latest_date || '）'
        end as problem
    from columns as c
    join raw.gov_site__columns as col using (crawl_run_id, site_id, column_url)
    left join raw.gov_site__columns as parent
        on parent.crawl_run_id = c.crawl_run_id and parent.site_id = c.site_id
       and parent.column_url = col.parent_url
    left join raw.gov_site__snapshots as snap
        on snap.crawl_run_id = c.crawl_run_id and snap.site_id = c.site_id and snap.url = c.column_url
    -- the newest item's URL: among the items of the newest date (all, when none is dated) the first
    -- listed; looked up for the problem columns alone (an index range of the site's items each)
    left join lateral (
        select ci.item_url as latest_url
        from staging.stg_gov_site__column_items as ci
        where ci.crawl_run_id = c.crawl_run_id and ci.site_id = c.site_id and ci.column_url = c.column_url
          and ci.item_date is not distinct from c.latest_date
        order by ci.page_no, ci.position, ci.item_url
        limit 1
    ) as lu on c.finding in ('stale_a', 'stale_b', 'blank')
    where c.finding <> 'ok'
),

-- per site, from the flagged columns: the URL lists per clause and the problem columns
flagged_lists as (
    select
        site_id,
        jsonb_agg(column_url order by column_url) filter (where finding = 'stale_a') as stale_a_list,
        jsonb_agg(column_url order by column_url) filter (where finding = 'stale_b') as stale_b_list,
        jsonb_agg(column_url order by column_url) filter (where finding = 'blank') as blank_list,
        jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
            'name', name, 'url', column_url, 'type', column_type, 'fail_class', fail_class,
            'http_status', list_status))
            order by column_url) filter (where finding = 'unmeasured') as unmeasured_list,
        jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
            'name', name, 'path', path, 'url', column_url, 'type', column_type, 'level', level,
            'finding', finding, 'problem', problem, 'latest_date', latest_date, 'latest_item_url', latest_url,
            'age_days', age_days, 'http_status', list_status, 'fetched_at', list_fetched_at,
            'snapshot_id', snapshot_id))
            order by finding, age_days desc nulls first, column_url)
            filter (where finding in ('stale_a', 'stale_b', 'blank')) as columns
    from flagged
    group by site_id
),

-- per site, over every column: counts only (hashed)
counts as (
    select
        site_id,
        count(*) as columns,
        count(*) filter (where finding = 'stale_a') as stale_a,
        count(*) filter (where finding = 'stale_b') as stale_b,
        count(*) filter (where finding = 'blank') as blank,
        count(*) filter (where finding = 'unmeasured') as unmeasured,
        count(*) filter (where finding = 'unmeasured' and clause = 'a') as unmeasured_a,
        count(*) filter (where finding = 'unmeasured' and clause = 'b') as unmeasured_b
    from columns
    group by site_id
),

judged as (
    select
        i.site_id,
        c.crawl_run_id,
        c.started_at,
        c.outcome,
        c.fail_class,
        p.*,
        coalesce(k.columns, 0) as n_columns,
        coalesce(k.stale_a, 0) as stale_a,
        coalesce(k.stale_b, 0) as stale_b,
        coalesce(k.blank, 0) as blank,
        coalesce(k.unmeasured, 0) as unmeasured,
        fl.stale_a_list,
        fl.stale_b_list,
        fl.blank_list,
        fl.unmeasured_list,
        fl.columns as problem_columns,
        coalesce(k.stale_a, 0) >= p.stale_veto as hit_a,
        coalesce(k.stale_b, 0) >= p.long_term_veto as hit_b,
        coalesce(k.blank, 0) >= p.blank_veto as hit_c,
        coalesce(k.stale_a, 0) + coalesce(k.unmeasured_a, 0) >= p.stale_veto
            or coalesce(k.stale_b, 0) + coalesce(k.unmeasured_b, 0) >= p.long_term_veto
            or coalesce(k.blank, 0) + coalesce(k.unmeasured, 0) >= p.blank_veto as could_hit
    from inspected as i
    cross join params as p
    left join crawl as c on c.site_id = i.site_id
    left join counts as k on k.site_id = i.site_id
    left join flagged_lists as fl on fl.site_id = i.site_id
),

w_v4__site__columns_not_updated as (
    select
        'site'::text as entity_type,
        j.site_id as entity_id,
        'W-V4'::text as indicator,
        case
            when j.crawl_run_id is null or j.outcome <> 'ok' or j.n_columns = 0 then 'unknown'
            when j.hit_a or j.hit_b or j.hit_c then 'fail'
            when j.could_hit then 'unknown'
            else 'pass'
        end as status,
        case
            when j.crawl_run_id is not null and j.outcome = 'ok' and (j.hit_a or j.hit_b or j.hit_c)
                then concat_ws('；',
                    case when j.hit_a or j.hit_b then '多个栏目更新不及时' end,
                    case when j.hit_c then '空白栏目超过' || j.blank_veto || '个' end)
        end as problem,
        case
            when j.crawl_run_id is null then '监测时间点前后' || j.max_gap || '天内无网站采集记录'
            when j.outcome <> 'ok' then '首页未能采集（' || coalesce(j.fail_class, '未知原因') || '），栏目无法判定'
            when j.n_columns = 0 then '未从首页导航识别出栏目'
            when not (j.hit_a or j.hit_b or j.hit_c) and j.could_hit
                then j.unmeasured || '个栏目未能读取，可能达到否决数量'
        end as reason,
        jsonb_strip_nulls(jsonb_build_object(
            'crawl_run_id', j.crawl_run_id,
            'crawled_at', j.started_at,
            'columns_total', j.n_columns,
            'stale_dynamic_notice_policy', jsonb_build_object(
                'count', j.stale_a, 'threshold', j.stale_veto, 'hit', j.hit_a,
                'dynamic_max_days', j.dynamic_max, 'notice_policy_max_days', j.notice_policy_max,
                'urls', coalesce(j.stale_a_list, '[]'::jsonb)),
            'stale_long_term', jsonb_build_object(
                'count', j.stale_b, 'threshold', j.long_term_veto, 'hit', j.hit_b,
                'long_term_max_days', j.long_term_max, 'urls', coalesce(j.stale_b_list, '[]'::jsonb)),
            'blank', jsonb_build_object(
                'count', j.blank, 'threshold', j.blank_veto, 'hit', j.hit_c,
                'urls', coalesce(j.blank_list, '[]'::jsonb)),
            'columns', coalesce(j.problem_columns, '[]'::jsonb),
            'unmeasured', j.unmeasured_list
        )) as evidence
    from judged as j
)

select * from w_v4__site__columns_not_updated
order by entity_id
