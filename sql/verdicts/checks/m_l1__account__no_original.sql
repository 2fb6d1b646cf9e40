-- indicator: M-L1
-- entity: account
-- grain: one row per inspected account
-- M-L1 原创内容不足 [L] (INDICATORS.md §5, 陕西/杨陵 2025): when the profile sets
-- newmedia.max_days_without_original (shaanxi-2025: 90), an account with no original post within
-- that many days before the 监测时间点 fails with 'N个月无原创' (90 → 3个月无原创, 30 → 1个月无原创;
-- a number of days that is not a whole number of 30-day months is printed as N天).
-- The key is null in national-2019: every account passes (the rule is not part of the profile).
--
-- Days are calendar days in Asia/Shanghai, as in M-V2: an original post 89 days old passes, one 90
-- days old fails. 原创 is what the platform flags (Weibo: not a repost; WeChat: the 原创 mark;
-- feeds: a 原创 / 转载 category). When posts in the window carry no such flag the account is
-- unknown (originality cannot be known), never failed. To fail, a successful fetch on or after
-- as_of's date (at most collection.max_media_fetch_gap_days days after) must show every post back
-- to the window's first day; otherwise unknown with the collector's reason.
-- From: registry.inspected_accounts, staging.stg_media__posts, staging.stg_media__fetches.
with params as (
    select
        (%(as_of)s::timestamptz at time zone %(tz)s)::date as as_of_date,
        %(collection__max_media_fetch_gap_days)s::int as gap_days,
        %(newmedia__max_days_without_original)s::int as max_days
),

words as (
    select
        params.*,
        case
            when params.max_days is null then null
            when mod(params.max_days, 30) = 0 then (params.max_days / 30)::text || '个月'
            else params.max_days::text || '天'
        end as period
    from params
),

accounts as (
    select account_id from registry.inspected_accounts  -- read more than once: kept narrow
),

-- each account's newest public original post dated on or before as_of's date: one walk down the
-- index (account_id, published_at desc) per account, not a pass over every post
newest_original as (
    select
        a.account_id,
        no.published_at,
        (no.published_at at time zone %(tz)s)::date as published_date,
        no.url
    from accounts as a
    cross join params
    cross join lateral (
        select p.published_at, p.url
        from staging.stg_media__posts as p
        where p.account_id = a.account_id
          and p.published_at < (params.as_of_date + 1)::timestamp at time zone %(tz)s
          and p.is_original
          and not p.is_deleted
          and not p.is_hidden
        order by p.published_at desc
        limit 1
    ) as no
    where params.max_days is not null
),

-- the window's posts, counted only for the accounts without an original in it (the others pass)
window_posts as (
    select
        a.account_id,
        count(*) as posts,
        count(*) filter (where p.is_original is null) as unflagged,
        count(*) filter (where p.is_original = false) as reposts
    from accounts as a
    cross join params
    left join newest_original as no on no.account_id = a.account_id
    join staging.stg_media__posts as p
        on p.account_id = a.account_id
       and p.published_at >= (params.as_of_date - params.max_days + 1)::timestamp at time zone %(tz)s
       and p.published_at < (params.as_of_date + 1)::timestamp at time zone %(tz)s
       and not p.is_deleted
       and not p.is_hidden
    where params.max_days is not null
      and (no.published_date is null or no.published_date <= params.as_of_date - params.max_days)
    group by a.account_id
),

-- the fetches matter only when the profile has the rule (national-2019 has not: every account
-- passes, and none of them is read)
covering as (
    select c.* from params
    cross join lateral staging.media_fetch_covering(params.as_of_date, params.gap_days, params.max_days) as c
    where params.max_days is not null
),

nearest as (
    select n.* from params cross join lateral staging.media_fetch_nearest(params.as_of_date, params.gap_days) as n
    where params.max_days is not null
),

decided as (
    select
        a.account_id,
        w.max_days,
        w.gap_days,
        w.period,
        w.as_of_date,
        no.published_at as original_at,
        no.url as original_url,
        w.as_of_date - no.published_date as days_since_original,
        case when no.published_date > w.as_of_date - w.max_days then null  -- passed: not counted
             else coalesce(wp.posts, 0) end as window_posts,
        case when no.published_date > w.as_of_date - w.max_days then null else coalesce(wp.unflagged, 0) end as window_unflagged,
        case when no.published_date > w.as_of_date - w.max_days then null else coalesce(wp.reposts, 0) end as window_reposts,
        cv.collect_date as covering_collect_date,
        cv.source_url as covering_url,
        nf.status as fetch_status,
        cl.reference_date as closest_date,
        nf.reason as fetch_reason,
        nf.reference_date as fetch_date,
        nf.covers_from_date as fetch_covers_from_date,
        case
            when w.max_days is null then 'pass'
            when no.published_date > w.as_of_date - w.max_days then 'pass'
            when coalesce(wp.unflagged, 0) > 0 then 'unknown'
            when cv.account_id is not null then 'fail'
            else 'unknown'
        end as status
    from accounts as a
    cross join words as w
    left join newest_original as no on no.account_id = a.account_id
    left join window_posts as wp on wp.account_id = a.account_id
    left join covering as cv on cv.account_id = a.account_id
    left join nearest as nf on nf.account_id = a.account_id
    -- the closest fetch at any distance, for an account with none near enough (what to say then),
    -- looked up for those accounts alone, through the account's index
    left join lateral (
        select c.* from staging.media_fetch_closest(w.as_of_date, a.account_id) as c
        where nf.account_id is null and w.max_days is not null
        offset 0  -- kept apart, so that the condition gates the lookup instead of filtering after it
    ) as cl on true
),

m_l1__account__no_original as (
    select
        'account' as entity_type,
        d.account_id as entity_id,
        'M-L1' as indicator,
        d.status,
        case when d.status = 'fail' then d.period || '无原创' end as problem,
        case when d.status = 'unknown' then
            case
                when d.window_unflagged > 0
                    then '监测时间点前 ' || d.max_days::text || ' 天内有 ' || d.window_unflagged::text
                         || ' 条发布，平台未标注是否原创，无法判断'
                when d.fetch_status is null and d.closest_date is not null
                    then '监测时间点前后 ' || d.gap_days::text || ' 天内没有采集记录（最近的一次在 ' || d.closest_date::text || '）'
                when d.fetch_status is null then '尚未采集该账号（没有采集记录）'
                when d.fetch_status = 'vanished'
                    then '账号搜索不到（' || coalesce(d.fetch_reason, '平台显示账号不存在') || '），无法读取发布情况'
                when d.fetch_status <> 'ok' then coalesce(d.fetch_reason, '采集失败，未取得数据')
                when d.fetch_date < d.as_of_date
                    then '最近一次成功采集在 ' || d.fetch_date::text || '，早于监测时间点当日，此后是否发布原创未知'
                else '采集到的发布只回溯到 ' || coalesce(d.fetch_covers_from_date::text, '（无）')
                     || '，未覆盖监测时间点前 ' || d.max_days::text || ' 天'
            end
        end as reason,
        case when d.max_days is null
            then jsonb_build_object('rule', '本检查方案不含原创要求（newmedia.max_days_without_original 为空）')
            else jsonb_strip_nulls(to_jsonb(ev))
        end as evidence
    from decided as d
    -- the evidence: one object whose keys are these columns' names (to_jsonb of a row costs about a
    -- third less than jsonb_build_object of its pairs), nulls dropped
    cross join lateral (
        select
            d.max_days as max_days,
            d.as_of_date as as_of_date,
            d.original_at as newest_original_at,
            d.original_url as newest_original_url,
            d.days_since_original as days_since_original,
            d.window_posts as window_posts,
            d.window_reposts as window_reposts,
            d.window_unflagged as window_unflagged,
            case when d.covering_collect_date is not null then jsonb_build_object(
                'collect_date', d.covering_collect_date, 'url', d.covering_url) end as covering_fetch,
            d.fetch_status as fetch_status
    ) as ev
)

select * from m_l1__account__no_original
