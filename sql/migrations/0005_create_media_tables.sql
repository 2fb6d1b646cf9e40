-- New-media collection (issue 5): what each daily fetch of an account saw (raw), posts merged
-- across days and fetches renamed (staging), collector health for dashboards (marts).
-- Loaded in bulk by govmon.media.load (COPY), idempotent per collection day and channel.

-- one row per account, collection day and channel (crawl: the collector; import: a CSV export)
create table if not exists raw.media__fetches (
    collect_date       date not null,          -- the collection day (Asia/Shanghai); a re-run replaces it
    account_id         bigint not null,        -- registry.accounts.account_id
    channel            text not null default 'crawl' check (channel in ('crawl', 'import')),
    platform           text not null,
    adapter            text,                   -- the endpoint kind recognised from the response
    source_url         text,
    status             text not null check (status in ('ok', 'empty', 'vanished', 'blocked', 'error', 'unconfigured')),
    reason             text,                   -- 中文: why it is not ok
    http_status        integer,
    fetched_at         timestamptz not null,   -- the collector's clock
    server_date        timestamptz,            -- the response's HTTP Date
    reference_at       timestamptz not null,   -- relative dates were resolved against this (server_date, else fetched_at)
    live_name          text,                   -- the name the platform shows now
    name_source        text,                   -- profile | article | author | title | export
    account_exists     boolean,
    declared_posts     integer,                -- what the platform says the account has
    post_count         integer not null default 0,
    complete           boolean not null default false,  -- the whole timeline was read
    covers_from        timestamptz,            -- every post from here to reference_at was seen (null when complete)
    newest_post_at     timestamptz,
    comments_open      boolean,                -- null: the platform does not show it here
    menu               text[],                 -- null: no menu shown
    interaction_source text,
    requests           integer not null default 0,
    errors             integer not null default 0,
    elapsed_ms         integer,
    run_id             text,
    evidence           jsonb not null default '{}'::jsonb,
    loaded_at          timestamptz not null default now(),
    primary key (collect_date, account_id, channel)
);
create index if not exists media__fetches_account_idx on raw.media__fetches (account_id, reference_at desc);

-- one row per post seen, account, collection day and channel
create table if not exists raw.media__posts (
    collect_date  date not null,
    account_id    bigint not null,
    channel       text not null default 'crawl',
    post_key      text not null,               -- the platform's id of the post
    published_at  timestamptz,
    published_raw text,                        -- as printed (刚刚, 昨天 10:20, 09-28 …)
    precision     text check (precision in ('second', 'minute', 'hour', 'day')),
    is_original   boolean,                     -- null: the platform does not show it
    is_deleted    boolean not null default false,
    is_hidden     boolean not null default false,
    is_pinned     boolean not null default false,
    title         text,
    url           text,
    adapter       text,
    primary key (collect_date, account_id, channel, post_key)
);

create or replace function staging.media_precision_rank(p text) returns integer
language sql immutable as $$
    select case p when 'second' then 0 when 'minute' then 1 when 'hour' then 2 when 'day' then 3 else 4 end
$$;

-- one row per account and post across every fetch (merged at load time; the finest time seen wins)
create table if not exists staging.stg_media__posts (
    account_id      bigint not null,
    post_key        text not null,
    published_at    timestamptz,
    published_raw   text,
    precision       text,
    is_original     boolean,
    is_deleted      boolean not null default false,
    is_hidden       boolean not null default false,
    is_pinned       boolean not null default false,
    title           text,
    url             text,
    adapter         text,
    first_seen_date date not null,
    last_seen_date  date not null,
    primary key (account_id, post_key)
);
create index if not exists stg_media__posts_published_idx on staging.stg_media__posts (account_id, published_at desc);

-- one row per account, collection day and channel; from raw.media__fetches
create or replace view staging.stg_media__fetches as
with fetches as (
    select * from raw.media__fetches
),
stg_media__fetches as (
    select
        f.collect_date,
        f.account_id,
        f.channel,
        f.platform,
        f.adapter,
        f.source_url,
        f.status,
        f.reason,
        f.http_status,
        f.fetched_at,
        f.server_date,
        f.reference_at,
        (f.reference_at at time zone 'Asia/Shanghai')::date as reference_date,
        f.live_name,
        f.name_source,
        f.account_exists,
        f.declared_posts,
        f.post_count,
        f.complete,
        f.covers_from,
        (f.covers_from at time zone 'Asia/Shanghai')::date as covers_from_date,
        f.newest_post_at,
        f.comments_open,
        f.menu,
        f.interaction_source,
        f.requests,
        f.errors,
        f.elapsed_ms,
        f.run_id,
        f.evidence
    from fetches as f
)
select * from stg_media__fetches;

-- one row per inspected account and adapter (accounts never fetched: one row, adapter null);
-- from registry.inspected_accounts and stg_media__fetches. What a collector-health dashboard shows.
create or replace view marts.fct_media_collector_health as
with accounts as (
    select * from registry.inspected_accounts
),
fetches as (
    select * from staging.stg_media__fetches
),
latest_date as (
    select max(collect_date) as d from fetches
),
per_adapter as (
    select
        f.account_id,
        coalesce(f.adapter, '') as adapter,
        max(f.collect_date) as last_fetch_date,
        max(f.collect_date) filter (where f.status in ('ok', 'empty', 'vanished')) as last_good_fetch_date,
        max(f.reference_at) filter (where f.status in ('ok', 'empty', 'vanished')) as last_good_reference_at,
        count(*) filter (where f.collect_date > (select d from latest_date) - 7) as fetches_7d,
        count(*) filter (where f.collect_date > (select d from latest_date) - 7
                           and f.status in ('blocked', 'error', 'unconfigured')) as failed_7d,
        count(*) filter (where f.collect_date > (select d from latest_date) - 30
                           and f.status in ('blocked', 'error', 'unconfigured')) as failed_30d,
        coalesce(sum(f.requests) filter (where f.collect_date > (select d from latest_date) - 7), 0) as requests_7d,
        coalesce(sum(f.errors) filter (where f.collect_date > (select d from latest_date) - 7), 0) as request_errors_7d
    from fetches as f
    group by f.account_id, coalesce(f.adapter, '')
),
last_fetch as (
    select distinct on (f.account_id, coalesce(f.adapter, ''))
        f.account_id, coalesce(f.adapter, '') as adapter, f.status, f.reason, f.http_status, f.source_url,
        f.live_name, f.post_count, f.newest_post_at, f.reference_at, f.channel
    from fetches as f
    order by f.account_id, coalesce(f.adapter, ''), f.collect_date desc, f.reference_at desc
),
fct_media_collector_health as (
    select
        a.account_id,
        a.platform,
        a.name,
        a.platform_account_id,
        a.organizer,
        a.region_code,
        nullif(p.adapter, '') as adapter,
        coalesce(l.status, 'never') as last_status,
        case coalesce(l.status, 'never')
            when 'ok' then '正常' when 'empty' then '无内容' when 'vanished' then '搜索不到'
            when 'blocked' then '被拒绝' when 'error' then '出错' when 'unconfigured' then '未配置采集地址'
            else '未采集' end as last_status_label,
        coalesce(l.reason, case when l.status is null then '尚未采集' end) as last_reason,
        l.http_status as last_http_status,
        l.source_url,
        l.live_name,
        l.post_count as last_post_count,
        l.newest_post_at,
        p.last_fetch_date,
        p.last_good_fetch_date,
        p.last_good_reference_at,
        p.last_fetch_date - p.last_good_fetch_date as days_since_good_fetch,
        coalesce(p.fetches_7d, 0) as fetches_7d,
        coalesce(p.failed_7d, 0) as failed_7d,
        coalesce(p.failed_30d, 0) as failed_30d,
        coalesce(p.requests_7d, 0) as requests_7d,
        coalesce(p.request_errors_7d, 0) as request_errors_7d
    from accounts as a
    left join per_adapter as p on p.account_id = a.account_id
    left join last_fetch as l on l.account_id = p.account_id and l.adapter = p.adapter
)
select * from fct_media_collector_health;

-- one row per collection day, platform, adapter and status; from stg_media__fetches
create or replace view marts.fct_media_daily_collection as
with fetches as (
    select * from staging.stg_media__fetches
),
fct_media_daily_collection as (
    select
        f.collect_date,
        f.platform,
        f.adapter,
        f.status,
        count(*) as accounts,
        sum(f.post_count) as posts,
        sum(f.requests) as requests,
        sum(f.errors) as request_errors
    from fetches as f
    group by f.collect_date, f.platform, f.adapter, f.status
)
select * from fct_media_daily_collection;
