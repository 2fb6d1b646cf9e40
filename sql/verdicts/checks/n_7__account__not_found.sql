-- indicator: N-7
-- entity: account
-- grain: one row per inspected account
-- N-7 搜索不到 (INDICATORS.md §8, §10): the platform says the account is gone — 注销, 迁移,
-- 屏蔽/封禁, 不存在 (Weibo "这里还没有内容" for the profile, WeChat's notice pages, a bridge's
-- 404 naming the account as gone) — while the registry still lists it as running → fail 搜索不到.
-- Read from the fetch nearest to the 监测时间点 (on or after its date first, else the latest
-- before) within collection.max_media_fetch_gap_days days; none that near → unknown. A blocked,
-- failed or unconfigured fetch is unknown with its reason: a refusal is not a disappearance.
-- From: registry.inspected_accounts, staging.stg_media__fetches.
with params as (
    select
        (%(as_of)s::timestamptz at time zone %(tz)s)::date as as_of_date,
        %(collection__max_media_fetch_gap_days)s::int as gap_days
),

accounts as (
    select * from registry.inspected_accounts
),

nearest as (
    select n.* from params cross join lateral staging.media_fetch_nearest(params.as_of_date, params.gap_days) as n
),

n_7__account__not_found as (
    select
        'account' as entity_type,
        a.account_id as entity_id,
        'N-7' as indicator,
        case
            when nf.status = 'vanished' then 'fail'
            when nf.status in ('ok', 'empty') then 'pass'
            else 'unknown'
        end as status,
        case when nf.status = 'vanished' then '搜索不到' end as problem,
        case
            when nf.account_id is null and cl.account_id is not null
                then '监测时间点前后 ' || params.gap_days::text || ' 天内没有采集记录（最近的一次在 ' || cl.reference_date::text || '）'
            when nf.account_id is null then '尚未采集该账号（没有采集记录）'
            when nf.status not in ('vanished', 'ok', 'empty') then coalesce(nf.reason, '采集失败，未取得数据')
        end as reason,
        case when nf.account_id is null then '{}'::jsonb else jsonb_strip_nulls(to_jsonb(ev)) end as evidence
    from accounts as a
    cross join params
    left join nearest as nf on nf.account_id = a.account_id
    -- the closest fetch at any distance, for an account with none near enough (what to say then),
    -- looked up for those accounts alone, through the account's index
    left join lateral (
        select c.* from staging.media_fetch_closest(params.as_of_date, a.account_id) as c
        where nf.account_id is null
        offset 0  -- kept apart, so that the condition gates the lookup instead of filtering after it
    ) as cl on true
    -- the evidence: one object whose keys are these columns' names (to_jsonb of a row costs about a
    -- third less than jsonb_build_object of its pairs), nulls dropped
    cross join lateral (
        select
            nf.status as status,
            case when nf.status = 'vanished' then nf.reason end as platform_says,
            nf.http_status as http_status,
            nf.adapter as adapter,
            nf.source_url as url,
            nf.collect_date as collect_date,
            nf.reference_at as reference_at
    ) as ev
)

select * from n_7__account__not_found
