-- indicator: M-V2
-- entity: account
-- grain: one row per inspected account
-- M-V2 内容不更新 (INDICATORS.md §5): no post within newmedia.max_days_without_update days before
-- the 监测时间点 (national-2019: 14 → problem 14天未更新; county-10d: 10 → 10天未更新).
--
-- Days are calendar days in Asia/Shanghai. A post's age is as_of's date minus the post's date:
-- a post 13 days old passes, one 14 days old fails (age >= N fails). Posts dated after as_of's
-- date do not count; deleted or non-public posts never count.
-- Missing data is unknown, never "not updated". To fail, a successful fetch taken on or after
-- as_of's date (at most collection.max_media_fetch_gap_days days after) must show every post back
-- to the window's first day (the whole timeline, or its oldest post on or before that day). A blocked, failed, empty or unconfigured fetch is unknown
-- with the collector's reason; a vanished account is unknown here (N-7 搜索不到 decides it).
-- From: registry.inspected_accounts, staging.stg_media__posts, staging.stg_media__fetches.
with params as (
    select
        (%(as_of)s::timestamptz at time zone %(tz)s)::date as as_of_date,
        %(collection__max_media_fetch_gap_days)s::int as gap_days,
        %(newmedia__max_days_without_update)s::int as max_days
),

accounts as (
    select account_id from registry.inspected_accounts  -- read more than once: kept narrow
),

-- each account's newest public post dated on or before as_of's date: one descent of the index
-- (account_id, published_at desc) per account, not a pass over every post
newest_post as (
    select
        a.account_id,
        np.post_key,
        np.published_at,
        np.published_raw,
        np.url,
        (np.published_at at time zone %(tz)s)::date as published_date
    from accounts as a
    cross join params
    cross join lateral (
        select p.post_key, p.published_at, p.published_raw, p.url
        from staging.stg_media__posts as p
        where p.account_id = a.account_id
          and p.published_at < (params.as_of_date + 1)::timestamp at time zone %(tz)s
          and not p.is_deleted
          and not p.is_hidden
        order by p.published_at desc, p.post_key
        limit 1
    ) as np
),

-- the fetches matter to an account without a post in the window (a pass is proved by its post):
-- looked up for those accounts alone, through the account's index (media__fetches_account_idx)
judged as (
    select
        a.account_id,
        np.published_at,
        np.published_date,
        np.published_raw,
        np.url as post_url,
        np.published_date > params.as_of_date - params.max_days as passed
    from accounts as a
    cross join params
    left join newest_post as np on np.account_id = a.account_id
),

decided as (
    select
        j.account_id,
        params.max_days,
        params.gap_days,
        params.as_of_date,
        j.published_at,
        j.published_date,
        j.published_raw,
        j.post_url,
        params.as_of_date - j.published_date as days_since_post,
        cv.collect_date as covering_collect_date,
        cv.reference_at as covering_reference_at,
        cv.complete as covering_complete,
        cv.covers_from as covering_from,
        cv.source_url as covering_url,
        nf.status as fetch_status,
        cl.reference_date as closest_date,
        nf.reason as fetch_reason,
        nf.adapter as fetch_adapter,
        nf.reference_date as fetch_date,
        nf.covers_from_date as fetch_covers_from_date,
        nf.collect_date as fetch_collect_date,
        nf.source_url as fetch_url,
        case
            when j.passed then 'pass'
            when cv.account_id is not null then 'fail'
            else 'unknown'
        end as status
    from judged as j
    cross join params
    -- the fetch that proves a fail: successful, on or after as_of's date (within the gap), showing
    -- every post back to the window's first day
    left join lateral (
        select c.* from staging.media_fetch_covering(params.as_of_date, params.gap_days, params.max_days) as c
        where c.account_id = j.account_id and j.passed is not true
        offset 0  -- kept apart, so that the condition gates the lookup instead of filtering after it
    ) as cv on true
    -- the fetch nearest to as_of (on or after its date first, else the latest before): the reason
    left join lateral (
        select n.* from staging.media_fetch_nearest(params.as_of_date, params.gap_days) as n
        where n.account_id = j.account_id and j.passed is not true
        offset 0
    ) as nf on true
    -- the closest fetch at any distance, for an account with none near enough (what to say then)
    left join lateral (
        select c.* from staging.media_fetch_closest(params.as_of_date, j.account_id) as c
        where j.passed is not true and nf.account_id is null
        offset 0
    ) as cl on true
),

m_v2__account__not_updated as (
    select
        'account' as entity_type,
        d.account_id as entity_id,
        'M-V2' as indicator,
        d.status,
        case when d.status = 'fail' then d.max_days::text || '天未更新' end as problem,
        case when d.status = 'unknown' then
            case
                when d.fetch_status is null and d.closest_date is not null
                    then '监测时间点前后 ' || d.gap_days::text || ' 天内没有采集记录（最近的一次在 ' || d.closest_date::text || '）'
                when d.fetch_status is null then '尚未采集该账号（没有采集记录）'
                when d.fetch_status = 'vanished'
                    then '账号搜索不到（' || coalesce(d.fetch_reason, '平台显示账号不存在') || '），无法读取发布情况'
                when d.fetch_status <> 'ok' then coalesce(d.fetch_reason, '采集失败，未取得数据')
                when d.fetch_date < d.as_of_date
                    then '最近一次成功采集在 ' || d.fetch_date::text || '，早于监测时间点当日，此后是否发布未知'
                else '采集到的发布只回溯到 ' || coalesce(d.fetch_covers_from_date::text, '（无）')
                     || '，未覆盖监测时间点前 ' || d.max_days::text || ' 天'
            end
        end as reason,
        jsonb_strip_nulls(to_jsonb(ev)) as evidence
    from decided as d
    -- the evidence: one object whose keys are these columns' names (to_jsonb of a row costs a third
    -- less than jsonb_build_object of its pairs), nulls dropped
    cross join lateral (
        select
            d.max_days as max_days,
            d.as_of_date as as_of_date,
            d.published_at as newest_post_at,
            d.published_raw as newest_post_raw,
            d.post_url as newest_post_url,
            d.days_since_post as days_since_post,
            -- a pass is proved by its post; the fetches matter to a fail (covering) or an unknown
            case when d.status <> 'pass' and d.covering_collect_date is not null then jsonb_build_object(
                'collect_date', d.covering_collect_date, 'reference_at', d.covering_reference_at,
                'complete', d.covering_complete, 'covers_from', d.covering_from, 'url', d.covering_url)
            end as covering_fetch,
            case when d.status <> 'pass' and d.fetch_status is not null then jsonb_build_object(
                'status', d.fetch_status, 'adapter', d.fetch_adapter, 'collect_date', d.fetch_collect_date,
                'reference_date', d.fetch_date, 'url', d.fetch_url)
            end as "fetch"
    ) as ev
)

select * from m_v2__account__not_updated
