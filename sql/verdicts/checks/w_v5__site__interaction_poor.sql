-- indicator: W-V5
-- entity: site
-- grain: one row per inspected site
--
-- W-V5 互动回应差 (国办秘函〔2019〕19号): "1.未提供网上有效咨询建言渠道（网上信访、纪检举报等专门渠道除外）。
-- 2.监测时间点前1年内，对网民留言应及时答复处理的政务咨询类栏目（在线访谈、调查征集、网上信访、纪检举报类栏目
-- 除外）存在超过3个月未回应有效留言的现象。上述情况出现任意一种，即单项否决。"
-- From the site crawls (letters_status: the 政务咨询 channel found from the navigation — 领导信箱,
-- 留言, 咨询, 建言 …, not 信访/纪检/举报/访谈/征集) and its letters (raw.gov_site__letters).
--
-- Clause 2, timing (A): a letter asked within interaction.lookback_days of as_of's date (as_of's
--   date minus its 留言时间 <= lookback) waited more than interaction.max_reply_days: 回复时间 minus
--   留言时间, or, unanswered, as_of's date minus 留言时间 (a reply dated after as_of counts as none
--   yet). 90 days passes, 91 fails. A letter whose list shows no reply time but an answered status
--   (已回复, 已办结 …) is answered at an unknown time: never counted as overdue. Every letter counts as
--   有效 (validity is a reviewer's call; a reviewer's 排除 dismisses the finding).
-- Clause 1, channel (S): a crawled site whose navigation shows no 政务咨询 channel is 'review' with
--   未提供有效咨询建言渠道: the machine may miss a channel (an icon, a link to a provincial
--   platform), so a reviewer confirms before it counts.
-- Status: unknown (no crawl near as_of; homepage unreadable; the letters list could not be read, or
-- was not read to the end of the window and nothing overdue was seen) / review / fail 互动回应差 /
-- pass.
with params as (
    select
        (%(as_of)s::timestamptz at time zone %(tz)s)::date as as_of_date,
        %(interaction__max_reply_days)s::int as max_reply,
        %(interaction__lookback_days)s::int as lookback,
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

letters as (
    select
        l.site_id,
        l.letter_url,
        l.title,
        l.asked_date,
        case when l.replied_date <= p.as_of_date then l.replied_date end as replied_date,
        l.status_text,
        l.replied_date is null
            and l.status_text is not null
            and l.status_text ~ '(已回复|已答复|已办结|已处理|已反馈|办结|已完成)' as answered_no_time,
        coalesce(case when l.replied_date <= p.as_of_date then l.replied_date end, p.as_of_date)
            - l.asked_date as waited_days,
        p.max_reply
    from raw.gov_site__letters as l
    join crawl as c using (crawl_run_id, site_id)
    cross join params as p
    where l.asked_date is not null
      and l.asked_date <= p.as_of_date
      and p.as_of_date - l.asked_date <= p.lookback
),

per_site as (
    select
        site_id,
        count(*) as letters,
        count(*) filter (where replied_date is null and not answered_no_time) as unanswered,
        count(*) filter (where waited_days > max_reply and not answered_no_time) as overdue,
        max(waited_days) filter (where not answered_no_time) as longest_wait,
        (jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
            'title', title, 'url', letter_url, 'asked_date', asked_date, 'replied_date', replied_date,
            'status', status_text, 'waited_days', waited_days))
            order by waited_days desc) filter (where waited_days > max_reply and not answered_no_time))
            as overdue_list
    from letters
    group by site_id
),

letters_column as (
    select col.site_id, col.column_url, col.name, col.stop_reason, col.list_status, snap.snapshot_id
    from raw.gov_site__columns as col
    join crawl as c using (crawl_run_id, site_id)
    left join raw.gov_site__snapshots as snap
        on snap.crawl_run_id = col.crawl_run_id and snap.site_id = col.site_id and snap.url = col.column_url
    where col.kind = 'letters'
),

judged as (
    select
        i.site_id,
        c.crawl_run_id,
        c.started_at,
        c.outcome,
        c.fail_class,
        c.letters_status,
        c.letters_url,
        p.max_reply,
        p.lookback,
        p.max_gap,
        lc.name as channel_name,
        lc.stop_reason,
        lc.snapshot_id,
        coalesce(ps.letters, 0) as n_letters,
        coalesce(ps.unanswered, 0) as unanswered,
        coalesce(ps.overdue, 0) as overdue,
        ps.longest_wait,
        ps.overdue_list,
        case
            when c.crawl_run_id is null or c.outcome <> 'ok' then 'unknown'
            when coalesce(ps.overdue, 0) > 0 then 'fail'
            when c.letters_status = 'not_found' then 'review'
            when c.letters_status <> 'read' then 'unknown'
            when coalesce(lc.stop_reason, '') in ('budget', 'error', 'trap') then 'unknown'
            else 'pass'
        end as status
    from inspected as i
    cross join params as p
    left join crawl as c on c.site_id = i.site_id
    left join per_site as ps on ps.site_id = i.site_id
    left join letters_column as lc on lc.site_id = i.site_id
),

w_v5__site__interaction_poor as (
    select
        'site'::text as entity_type,
        j.site_id as entity_id,
        'W-V5'::text as indicator,
        j.status,
        case
            when j.status = 'fail' then '互动回应差'
            when j.status = 'review' then '未提供有效咨询建言渠道'
        end as problem,
        case
            when j.status = 'unknown' and j.crawl_run_id is null
                then '监测时间点前后' || j.max_gap || '天内无网站采集记录'
            when j.status = 'unknown' and j.outcome <> 'ok'
                then '首页未能采集（' || coalesce(j.fail_class, '未知原因') || '），互动交流无法判定'
            when j.status = 'unknown' and j.letters_status <> 'read'
                then '领导信箱（留言）页面未能读取'
            when j.status = 'unknown'
                then '留言列表未读完（' || j.stop_reason || '），未见超期留言'
            when j.status = 'review'
                then '首页导航中未找到领导信箱、留言、咨询建言类栏目（信访、纪检举报、访谈、征集除外），需人工核实'
        end as reason,
        jsonb_strip_nulls(jsonb_build_object(
            'crawl_run_id', j.crawl_run_id,
            'crawled_at', j.started_at,
            'channel', j.channel_name,
            'channel_url', j.letters_url,
            'letters_status', j.letters_status,
            'snapshot_id', j.snapshot_id,
            'letters_in_window', j.n_letters,
            'unanswered', j.unanswered,
            'overdue', j.overdue,
            'longest_wait_days', j.longest_wait,
            'max_reply_days', j.max_reply,
            'lookback_days', j.lookback,
            'overdue_letters', j.overdue_list
        )) as evidence
    from judged as j
)

select * from w_v5__site__interaction_poor
order by entity_id
