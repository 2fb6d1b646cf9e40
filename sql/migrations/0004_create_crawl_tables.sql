-- Website crawls (issue 4): what the spiders saw, as landed (raw), with effective item dates
-- (staging) and per-column / per-homepage / per-link facts (marts) that the W-V3, W-V4, W-V5,
-- W-D15 and G-F1 checks read. Every raw row is tagged with its crawl run; a run is loaded per
-- (run, site) all or nothing, so re-running a shard replaces its rows (idempotent per run).

-- one row per crawl run (a CLI call, a DAG run, the demo); shards of a run share it
create table if not exists raw.gov_site__runs (
    crawl_run_id  bigserial primary key,
    started_at    timestamptz not null default now(),
    finished_at   timestamptz,
    status        text not null default 'running' check (status in ('running', 'done', 'partial', 'failed')),
    trigger       text not null default 'cli',
    profile       text,
    window_days   integer,
    site_count    integer,
    shard_count   integer,
    shards_failed integer not null default 0,
    params        jsonb not null default '{}'::jsonb,
    error         text
);

-- one row per site and run: how the crawl of the site went
create table if not exists raw.gov_site__site_crawls (
    crawl_run_id      bigint not null references raw.gov_site__runs on delete cascade,
    site_id           bigint not null references registry.sites,
    spider            text not null default 'gov_site',   -- gov_site (full crawl) | letters | link_check
    shard             integer,
    homepage_url      text not null,
    final_url         text,
    started_at        timestamptz not null,
    finished_at       timestamptz not null,
    outcome           text not null check (outcome in ('ok', 'failed')),
    fail_class        text,
    fail_detail       text,
    homepage_status   integer,
    encoding          text,
    declared_charset  text,
    encoding_mismatch boolean,
    navigation_only   boolean,
    homepage_items    integer,
    homepage_dated    integer,
    nav_links         integer,
    columns_found     integer,
    letters_url       text,
    letters_status    text,          -- found | not_found | failed
    robots_status     integer,
    robots_txt        text,
    pages_fetched     integer not null default 0,
    links_checked     integer not null default 0,
    faults            integer not null default 0,
    budget_hit        text[] not null default '{}',
    primary key (crawl_run_id, site_id)
);
create index if not exists gov_site__site_crawls_site_idx on raw.gov_site__site_crawls (site_id, started_at desc);

-- every page fetched with GET (robots.txt, homepage, list pages, articles, letters)
create table if not exists raw.gov_site__pages (
    crawl_run_id     bigint not null,
    site_id          bigint not null,
    url              text not null,
    final_url        text,
    kind             text not null,   -- robots | home | column | article | letters | letter | calendar
    status           integer,
    content_type     text,
    encoding         text,
    declared_charset text,
    bytes            integer,
    fetched_at       timestamptz not null,
    elapsed_ms       integer,
    title            text,
    primary key (crawl_run_id, site_id, url)
);

-- columns found from the navigation, homepage blocks (更多) and column pages (sub-columns)
create table if not exists raw.gov_site__columns (
    crawl_run_id     bigint not null,
    site_id          bigint not null,
    column_url       text not null,
    name             text,
    kind             text not null check (kind in ('column', 'letters', 'calendar', 'landing')),
    level            integer not null default 1,
    parent_url       text,
    found_on         text,            -- nav | block | subcolumn | override
    column_type      text not null,
    type_source      text not null,   -- override | meta_type | name | meta_name | title | default
    meta_column_name text,
    meta_column_type text,
    list_status      integer,
    list_fetched_at  timestamptz,
    fail_class       text,            -- the first list page could not be read
    pages_crawled    integer not null default 0,
    items_seen       integer not null default 0,
    dated_items      integer not null default 0,
    list_latest_date date,
    is_blank         boolean not null default false,
    blank_marker     text,
    stop_reason      text,            -- last_page | window | trap | budget | error | undated
    primary key (crawl_run_id, site_id, column_url)
);

-- items on column list pages, with the date printed beside them
create table if not exists raw.gov_site__list_items (
    crawl_run_id bigint not null,
    site_id      bigint not null,
    column_url   text not null,
    item_url     text not null,
    list_url     text not null,
    page_no      integer not null,
    position     integer not null,
    title        text,
    date_text    text,
    list_date    date,
    year_shown   boolean,          -- false: the list printed 月-日 only and the year was inferred
    primary key (crawl_run_id, site_id, column_url, item_url)
);

-- the homepage's items (dated news blocks)
create table if not exists raw.gov_site__homepage_items (
    crawl_run_id bigint not null,
    site_id      bigint not null,
    item_url     text not null,
    position     integer not null,
    title        text,
    date_text    text,
    list_date    date,
    year_shown   boolean,
    primary key (crawl_run_id, site_id, item_url)
);

-- sampled article pages: their publication date (meta PubDate first)
create table if not exists raw.gov_site__articles (
    crawl_run_id     bigint not null,
    site_id          bigint not null,
    url              text not null,
    column_url       text,
    title            text,
    pub_date         date,
    pub_at           timestamptz,
    date_source      text,            -- meta:pubdate | meta:firstpublishedtime | … | text
    meta_column_name text,
    meta_column_type text,
    fetched_at       timestamptz not null,
    primary key (crawl_run_id, site_id, url)
);

-- every link on the homepage and on crawled pages (images and attachments too), checked once per site
create table if not exists raw.gov_site__links (
    crawl_run_id bigint not null,
    site_id      bigint not null,
    url          text not null,
    parent_url   text,
    on_homepage  boolean not null default false,
    tag          text,
    link_kind    text,                -- page | image | attachment
    is_outbound  boolean not null default false,
    method       text,
    status       integer,
    final_url    text,
    error_class  text,
    error_detail text,
    checked_at   timestamptz,
    elapsed_ms   integer,
    primary key (crawl_run_id, site_id, url)
);

-- 领导信箱 / 留言 lists
create table if not exists raw.gov_site__letters (
    crawl_run_id bigint not null,
    site_id      bigint not null,
    list_url     text not null,
    page_no      integer not null,
    position     integer not null,
    letter_url   text,
    title        text,
    asked_text   text,
    asked_date   date,
    replied_text text,
    replied_date date,
    status_text  text
);
create index if not exists gov_site__letters_run_idx on raw.gov_site__letters (crawl_run_id, site_id);

-- footer identity and site metas of the homepage
create table if not exists raw.gov_site__identity (
    crawl_run_id     bigint not null,
    site_id          bigint not null,
    page_url         text not null,
    footer_site_code text,
    footer_icp       text,
    footer_police    text,
    footer_organizer text,
    meta_site_code   text,
    meta_site_name   text,
    meta_site_domain text,
    footer_excerpt   text,
    primary key (crawl_run_id, site_id)
);

-- what went wrong, per URL: classified, never a silent gap
create table if not exists raw.gov_site__faults (
    crawl_run_id bigint not null,
    site_id      bigint not null,
    url          text not null,
    parent_url   text,
    request_kind text,                -- robots | home | column | article | letters | link
    fault_class  text not null check (fault_class in (
        'timeout', 'connect', 'dns', 'reset', 'tls', 'http_4xx', 'http_5xx', 'redirect_loop', 'too_large',
        'robots_disallowed', 'budget', 'policy', 'trap', 'bad_encoding', 'parse_error', 'empty_body', 'other')),
    http_status  integer,
    detail       text,
    occurred_at  timestamptz not null
);
create index if not exists gov_site__faults_run_idx on raw.gov_site__faults (crawl_run_id, site_id);

-- compressed (zlib) page bytes of evidence pages: homepage, first list pages, letters, broken-link parents
create table if not exists raw.gov_site__snapshots (
    snapshot_id  bigserial primary key,
    crawl_run_id bigint not null,
    site_id      bigint not null,
    url          text not null,
    fetched_at   timestamptz not null,
    http_status  integer,
    content_type text,
    sha256       text not null,
    raw_bytes    integer not null,
    body_zlib    bytea not null,
    unique (crawl_run_id, site_id, url)
);

-- ---- staging: renamed and cast, effective dates ------------------------------------------------

-- one row per list item with its effective date: the article's meta PubDate when the article was
-- sampled (authoritative), else the date printed on the list, else any date the article shows.
-- An item with none of these is undated, which counts as not updated.
-- A list that prints 月-日 only gets its years inferred (newest first, not after the crawl); when a
-- sampled article shows the inferred year is off by whole years (same 月-日, earlier year), every
-- year-inferred date of that column is moved back by as many years.
create or replace view staging.stg_gov_site__column_items as
with joined as (
    select
        li.*,
        a.pub_date as article_date,
        a.date_source as article_date_source
    from raw.gov_site__list_items li
    left join raw.gov_site__articles a
        on a.crawl_run_id = li.crawl_run_id and a.site_id = li.site_id and a.url = li.item_url
),
year_shift as (
    select crawl_run_id, site_id, column_url,
           coalesce(max(extract(year from list_date)::int - extract(year from article_date)::int)
               filter (where year_shown is false and article_date is not null and list_date is not null
                         and to_char(list_date, 'MM-DD') = to_char(article_date, 'MM-DD')
                         and article_date < list_date), 0) as years
    from joined
    group by crawl_run_id, site_id, column_url
),
adjusted as (
    select
        j.*,
        case when j.year_shown is false and ys.years > 0
             then (j.list_date - make_interval(years => ys.years))::date
             else j.list_date end as list_date_adjusted
    from joined j
    join year_shift ys using (crawl_run_id, site_id, column_url)
)
select
    crawl_run_id,
    site_id,
    column_url,
    item_url,
    page_no,
    position,
    title,
    date_text,
    list_date_adjusted as list_date,
    year_shown,
    article_date,
    article_date_source,
    coalesce(case when article_date_source like 'meta:%' then article_date end, list_date_adjusted, article_date)
        as item_date,
    case when article_date_source like 'meta:%' then article_date_source
         when list_date_adjusted is not null then 'list'
         when article_date is not null then article_date_source
         else 'none' end as item_date_source
from adjusted;

create or replace view staging.stg_gov_site__homepage_items as
with joined as (
    select h.*, a.pub_date as article_date, a.date_source as article_date_source
    from raw.gov_site__homepage_items h
    left join raw.gov_site__articles a
        on a.crawl_run_id = h.crawl_run_id and a.site_id = h.site_id and a.url = h.item_url
),
year_shift as (
    select crawl_run_id, site_id,
           coalesce(max(extract(year from list_date)::int - extract(year from article_date)::int)
               filter (where year_shown is false and article_date is not null and list_date is not null
                         and to_char(list_date, 'MM-DD') = to_char(article_date, 'MM-DD')
                         and article_date < list_date), 0) as years
    from joined
    group by crawl_run_id, site_id
)
select
    j.crawl_run_id,
    j.site_id,
    j.item_url,
    j.position,
    j.title,
    j.date_text,
    j.year_shown,
    case when j.year_shown is false and ys.years > 0
         then (j.list_date - make_interval(years => ys.years))::date else j.list_date end as list_date,
    coalesce(case when j.article_date_source like 'meta:%' then j.article_date end,
             case when j.year_shown is false and ys.years > 0
                  then (j.list_date - make_interval(years => ys.years))::date else j.list_date end,
             j.article_date) as item_date
from joined j
join year_shift ys using (crawl_run_id, site_id);

-- ---- marts -------------------------------------------------------------------------------------

-- one row per run, site and column (kind column/letters/calendar/landing): latest item date and blank
create or replace view marts.fct_gov_site__columns as
with items as (
    select crawl_run_id, site_id, column_url, max(item_date) as latest_date,
           count(*) as items, count(item_date) as dated_items,
           (array_agg(item_url order by item_date desc nulls last, page_no, position))[1] as latest_item_url
    from staging.stg_gov_site__column_items
    group by crawl_run_id, site_id, column_url
)
select
    c.crawl_run_id,
    c.site_id,
    c.column_url,
    c.name,
    c.kind,
    c.level,
    c.parent_url,
    c.found_on,
    c.column_type,
    c.type_source,
    c.list_status,
    c.list_fetched_at,
    c.fail_class,
    c.pages_crawled,
    c.is_blank,
    c.blank_marker,
    c.stop_reason,
    coalesce(i.items, 0) as items,
    coalesce(i.dated_items, 0) as dated_items,
    i.latest_date,
    i.latest_item_url,
    s.snapshot_id
from raw.gov_site__columns c
left join items i using (crawl_run_id, site_id, column_url)
left join raw.gov_site__snapshots s
    on s.crawl_run_id = c.crawl_run_id and s.site_id = c.site_id and s.url = c.column_url;

-- one row per run and site: the homepage's newest item, and the newest second-level item
create or replace view marts.fct_gov_site__homepage as
with home as (
    select crawl_run_id, site_id, count(*) as items, count(item_date) as dated_items, max(item_date) as newest_date,
           (array_agg(item_url order by item_date desc nulls last, position))[1] as newest_item_url
    from staging.stg_gov_site__homepage_items
    group by crawl_run_id, site_id
),
second_level as (
    select crawl_run_id, site_id, max(latest_date) as newest_date,
           (array_agg(latest_item_url order by latest_date desc nulls last))[1] as newest_item_url,
           (array_agg(column_url order by latest_date desc nulls last))[1] as newest_column_url,
           count(*) filter (where fail_class is null) as columns_read
    from marts.fct_gov_site__columns
    where kind = 'column'
    group by crawl_run_id, site_id
)
select
    sc.crawl_run_id,
    sc.site_id,
    sc.spider,
    sc.started_at,
    sc.outcome,
    sc.fail_class,
    sc.homepage_url,
    sc.homepage_status,
    sc.navigation_only,
    coalesce(h.items, 0) as items,
    coalesce(h.dated_items, 0) as dated_items,
    h.newest_date,
    h.newest_item_url,
    sl.newest_date as second_level_newest_date,
    sl.newest_item_url as second_level_newest_item_url,
    sl.newest_column_url as second_level_newest_column_url,
    coalesce(sl.columns_read, 0) as second_level_columns_read,
    snap.snapshot_id,
    snap.fetched_at as snapshot_fetched_at
from raw.gov_site__site_crawls sc
left join home h using (crawl_run_id, site_id)
left join second_level sl using (crawl_run_id, site_id)
left join raw.gov_site__snapshots snap
    on snap.crawl_run_id = sc.crawl_run_id and snap.site_id = sc.site_id and snap.url = sc.homepage_url;

-- one row per run, site and link that failed: broken links (not the ones left unchecked on purpose)
create or replace view marts.fct_gov_site__broken_links as
select
    l.crawl_run_id,
    l.site_id,
    l.url,
    l.parent_url,
    l.on_homepage,
    l.link_kind,
    l.is_outbound,
    l.status,
    l.error_class,
    l.error_detail,
    l.checked_at,
    s.snapshot_id as parent_snapshot_id
from raw.gov_site__links l
left join raw.gov_site__snapshots s
    on s.crawl_run_id = l.crawl_run_id and s.site_id = l.site_id and s.url = l.parent_url
where (l.status >= 400 or l.error_class is not null)
  and coalesce(l.error_class, '') not in ('robots_disallowed', 'budget', 'policy', 'too_large');
