-- indicator: M-V3
-- entity: account
-- grain: one row per inspected account
-- M-V3 互动回应差 (INDICATORS.md §5): 未提供有效互动功能. Automation level S: a machine can only
-- suspect; a reviewer confirms (确认) or dismisses (排除) before it counts.
-- From the fetch nearest to the 监测时间点 (within collection.max_media_fetch_gap_days days; none
-- that near → unknown):
-- - the platform shows a way to interact (comments open on the newest article or post, or a menu
--   or toolbar entry such as 留言/咨询/互动/信箱/投诉/建议/问政/反馈/诉求/12345/聊天/私信/联系) → pass;
-- - it shows comments closed and no such entry → review, problem 未提供有效互动功能;
-- - it shows neither (an RSS feed, an export) → review with the same problem, the reason saying a
--   reviewer must look: nothing is passed without evidence, and nothing fails on a guess;
-- - a fetch that failed is unknown with its reason; a vanished account is unknown (N-7 decides it).
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

shown as (
    select
        a.account_id,
        nf.account_id as fetched,
        nf.status as fetch_status,
        cl.reference_date as closest_date,
        params.gap_days,
        nf.reason as fetch_reason,
        nf.adapter,
        nf.comments_open,
        nf.menu,
        nf.interaction_source,
        nf.source_url,
        nf.collect_date,
        array(
            select m from unnest(nf.menu) as m
            where m ~ '(留言|咨询|互动|信箱|投诉|建议|问政|反馈|诉求|12345|聊天|私信|联系)'
        ) as channels
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

m_v3__account__interaction as (
    select
        'account' as entity_type,
        s.account_id as entity_id,
        'M-V3' as indicator,
        case
            when s.fetched is null or s.fetch_status not in ('ok', 'empty') then 'unknown'
            when s.comments_open or cardinality(s.channels) > 0 then 'pass'
            else 'review'
        end as status,
        case
            when s.fetched is null or s.fetch_status not in ('ok', 'empty') then null
            when s.comments_open or cardinality(s.channels) > 0 then null
            else '未提供有效互动功能'
        end as problem,
        case
            when s.fetched is null and s.closest_date is not null
                then '监测时间点前后 ' || s.gap_days::text || ' 天内没有采集记录（最近的一次在 ' || s.closest_date::text || '）'
            when s.fetched is null then '尚未采集该账号（没有采集记录）'
            when s.fetch_status = 'vanished'
                then '账号搜索不到（' || coalesce(s.fetch_reason, '平台显示账号不存在') || '），无法查看互动功能'
            when s.fetch_status not in ('ok', 'empty') then coalesce(s.fetch_reason, '采集失败，未取得数据')
            when s.comments_open or cardinality(s.channels) > 0 then null
            when s.comments_open = false
                then '平台显示评论/留言已关闭，'
                     || case when s.menu is null then '未显示菜单'
                             when cardinality(s.menu) = 0 then '菜单为空'
                             else '菜单（' || array_to_string(s.menu, '、') || '）中没有互动入口' end
                     || '，疑似未提供有效互动功能，需人工确认'
            when s.menu is not null
                then '平台未显示评论功能，'
                     || case when cardinality(s.menu) = 0 then '菜单为空'
                             else '菜单（' || array_to_string(s.menu, '、') || '）中没有互动入口' end
                     || '，需人工核查'
            else '采集渠道（' || coalesce(s.adapter, '未知') || '）不显示评论、留言或菜单，需人工核查互动功能'
        end as reason,
        case when s.fetched is null then '{}'::jsonb else jsonb_strip_nulls(to_jsonb(ev)) end as evidence
    from shown as s
    -- the evidence: one object whose keys are these columns' names (to_jsonb of a row costs about a
    -- third less than jsonb_build_object of its pairs), nulls dropped
    cross join lateral (
        select
            s.comments_open as comments_open,
            to_jsonb(s.menu) as menu,
            case when cardinality(s.channels) > 0 then to_jsonb(s.channels) end as interaction_channels,
            s.interaction_source as source,
            s.adapter as adapter,
            s.source_url as url,
            s.collect_date as collect_date
    ) as ev
)

select * from m_v3__account__interaction
