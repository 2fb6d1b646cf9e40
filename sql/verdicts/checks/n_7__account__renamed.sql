-- indicator: N-7
-- entity: account
-- grain: one row per inspected account
-- N-7 已改名 (INDICATORS.md §8, §10): the name the platform shows now differs from the registered
-- 账号名称 → fail, problem '已改名（<live name>）系统中未改名'. Names are compared after Unicode NFKC
-- normalisation without spaces or a leading @.
-- The live name comes from the fetch nearest to the 监测时间点 (within
-- collection.max_media_fetch_gap_days days; none that near → unknown). A name read from the platform
-- itself (profile, article, a feed's author, an export) decides; a name read only from a feed's
-- title (which bridges decorate, e.g. "抖音博主 - X") passes when it contains the registered name
-- and otherwise goes to review. A fetch that showed no name, or failed, is unknown; a vanished
-- account is unknown here (N-7 搜索不到 decides it).
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

compared as (
    select
        a.account_id,
        a.name as registered_name,
        nf.account_id as fetched,
        nf.status as fetch_status,
        cl.reference_date as closest_date,
        params.gap_days,
        nf.reason as fetch_reason,
        nf.live_name,
        nf.name_source,
        nf.adapter,
        nf.source_url,
        nf.collect_date,
        -- normalized only when the names differ as written (most do not: a rename is rare)
        case when nf.live_name = a.name then a.name
             else regexp_replace(normalize(a.name, nfkc), '^@|[[:space:]]+', '', 'g') end as reg_norm,
        case when nf.live_name = a.name then a.name
             else regexp_replace(normalize(coalesce(nf.live_name, ''), nfkc), '^@|[[:space:]]+', '', 'g') end
            as live_norm
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
),

n_7__account__renamed as (
    select
        'account' as entity_type,
        c.account_id as entity_id,
        'N-7' as indicator,
        case
            when c.fetched is null or c.fetch_status not in ('ok', 'empty') or c.live_norm = '' then 'unknown'
            when c.live_norm = c.reg_norm then 'pass'
            when c.name_source = 'title' and strpos(c.live_norm, c.reg_norm) > 0 then 'pass'
            when c.name_source = 'title' then 'review'
            else 'fail'
        end as status,
        case
            when c.fetched is null or c.fetch_status not in ('ok', 'empty') or c.live_norm = '' then null
            when c.live_norm = c.reg_norm then null
            when c.name_source = 'title' and strpos(c.live_norm, c.reg_norm) > 0 then null
            else '已改名（' || c.live_name || '）系统中未改名'
        end as problem,
        case
            when c.fetched is null and c.closest_date is not null
                then '监测时间点前后 ' || c.gap_days::text || ' 天内没有采集记录（最近的一次在 ' || c.closest_date::text || '）'
            when c.fetched is null then '尚未采集该账号（没有采集记录）'
            when c.fetch_status = 'vanished'
                then '账号搜索不到（' || coalesce(c.fetch_reason, '平台显示账号不存在') || '），无法读取名称'
            when c.fetch_status not in ('ok', 'empty') then coalesce(c.fetch_reason, '采集失败，未取得数据')
            when c.live_norm = '' then '平台响应中没有账号名称'
            when c.name_source = 'title' and c.live_norm <> c.reg_norm and strpos(c.live_norm, c.reg_norm) = 0
                then '名称取自订阅源标题（桥接服务可能加了文字），与登记名称不同，需人工确认是否改名'
        end as reason,
        case when c.fetched is null then '{}'::jsonb else jsonb_strip_nulls(to_jsonb(ev)) end as evidence
    from compared as c
    -- the evidence: one object whose keys are these columns' names (to_jsonb of a row costs about a
    -- third less than jsonb_build_object of its pairs), nulls dropped
    cross join lateral (
        select
            c.registered_name as registered_name,
            c.live_name as live_name,
            c.name_source as name_source,
            c.adapter as adapter,
            c.source_url as url,
            c.collect_date as collect_date
    ) as ev
)

select * from n_7__account__renamed
