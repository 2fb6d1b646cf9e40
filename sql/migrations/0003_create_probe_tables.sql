-- Availability probes (W-V2 站点无法访问): what the prober and imported monitoring logs saw.
--
--   raw.probe__rounds    one row per probe round (ours) or imported file; with the control probe
--   raw.probe__probes    one row per homepage probe, partitioned by month (Asia/Shanghai months);
--                        partitions are created on demand by raw.ensure_probe_partitions()
--   raw.probe__imports   one row per `govmon probe import` that wrote something
--   staging.stg_probe__probes, marts.fct_site_availability_daily, marts.fct_probe_failures: views
--
-- A round is idempotent: its rows are deleted and copied again in one transaction.

create table if not exists raw.probe__rounds (
    round_id        text primary key,   -- 'probe:<start UTC>@<host>', 'airflow:<dag run id>', 'import:<sha256>'
    source          text not null check (source in ('probe', 'import')),
    started_at      timestamptz not null,
    finished_at     timestamptz,
    host            text,               -- where the prober ran
    profile         text,               -- the profile whose timeout the round used
    timeout_seconds double precision,
    concurrency     integer,
    sites           integer not null default 0,
    ok_count        integer not null default 0,
    fail_count      integer not null default 0,
    blocked_count   integer not null default 0,
    control_url     text,
    -- false: the known-good control target failed, so this round counts against no site;
    -- null: no control probe (none configured, or an imported log)
    control_ok      boolean,
    control         jsonb not null default '[]'::jsonb,  -- the control probes: [{at, url, ok, status, error_class, latency_ms}]
    file_name       text,               -- imports: the file
    loaded_at       timestamptz not null default now()
);
create index if not exists probe__rounds_started_idx on raw.probe__rounds (source, started_at);

create table if not exists raw.probe__probes (
    round_id      text not null,
    site_id       bigint not null,      -- registry.sites.site_id (no FK: bulk COPY of millions of rows)
    probed_at     timestamptz not null, -- when the request was sent
    url           text not null,        -- the 首页网址 probed
    ok            boolean not null,     -- the homepage opened: 2xx, a non-blank body, within the timeout
    status_code   integer,              -- final HTTP status (after redirects), null when none came back
    latency_ms    integer,              -- request sent → body read (or → failure)
    bytes         bigint,               -- body bytes read (decoded)
    final_url     text,                 -- after redirects
    redirects     smallint,
    error_class   text check (error_class in ('dns', 'connect', 'tls', 'timeout', 'http_4xx', 'http_5xx',
                                              'empty_body', 'blocked', 'other')),
    error_detail  text,
    body_sha256   text,
    check (ok = (error_class is null))
) partition by range (probed_at);
create index if not exists probe__probes_site_time_idx on raw.probe__probes (site_id, probed_at);
create index if not exists probe__probes_round_idx on raw.probe__probes (round_id);

create table if not exists raw.probe__imports (
    import_id    bigserial primary key,
    round_id     text not null,          -- raw.probe__rounds of this file
    file_name    text not null,
    file_sha256  text not null,
    imported_at  timestamptz not null default now(),
    row_count    integer not null,
    inserted     integer not null,
    duplicates   integer not null,       -- already loaded by an earlier import (or twice in the file)
    unmatched    integer not null        -- rows whose site is not in the registry (not loaded)
);

-- One partition per Asia/Shanghai calendar month, raw.probe__probes_YYYY_MM, created when missing.
create or replace function raw.ensure_probe_partitions(from_ts timestamptz, to_ts timestamptz)
returns integer language plpgsql as $$
declare
    m       date := date_trunc('month', from_ts at time zone 'Asia/Shanghai')::date;
    last_m  date := date_trunc('month', to_ts at time zone 'Asia/Shanghai')::date;
    part    text;
    created integer := 0;
begin
    while m <= last_m loop
        part := format('probe__probes_%s', to_char(m, 'YYYY_MM'));
        if to_regclass(format('raw.%I', part)) is null then
            -- two loaders creating the same month: the second waits here, then sees it
            perform pg_advisory_xact_lock(hashtext('raw.probe__probes partitions'));
            if to_regclass(format('raw.%I', part)) is null then
                execute format('create table raw.%I partition of raw.probe__probes for values from (%L) to (%L)',
                               part, (m::timestamp at time zone 'Asia/Shanghai'),
                               ((m + interval '1 month')::timestamp at time zone 'Asia/Shanghai'));
                created := created + 1;
            end if;
        end if;
        m := (m + interval '1 month')::date;
    end loop;
    return created;
end $$;

-- one row per probe, with its round's control result and the outcome as probed:
-- 'control_failed' (our network, not theirs: not counted), 'blocked' (a WAF answered: says nothing
-- about the site, not counted), 'ok', 'failed'
create or replace view staging.stg_probe__probes as
select
    p.round_id,
    r.source,
    p.site_id,
    p.probed_at,
    (p.probed_at at time zone 'Asia/Shanghai')::date as probe_day,
    p.url,
    p.ok,
    p.status_code,
    p.latency_ms,
    p.bytes,
    p.final_url,
    p.redirects,
    p.error_class,
    p.error_detail,
    p.body_sha256,
    r.control_ok,
    case
        when r.control_ok is false then 'control_failed'
        when p.error_class = 'blocked' then 'blocked'
        when p.ok then 'ok'
        else 'failed'
    end as outcome
from raw.probe__probes as p
join raw.probe__rounds as r on r.round_id = p.round_id;

-- one row per site and Asia/Shanghai day with probes; from stg_probe__probes.
-- probes and failures count only rounds whose control probe did not fail, and no WAF answers.
create or replace view marts.fct_site_availability_daily as
select
    site_id,
    probe_day,
    count(*) filter (where outcome in ('ok', 'failed')) as probes,
    count(*) filter (where outcome = 'failed') as failures,
    count(*) filter (where outcome = 'blocked') as blocked,
    count(*) filter (where outcome = 'control_failed') as control_failed,
    min(probed_at) filter (where outcome = 'failed') as first_failure_at,
    max(probed_at) filter (where outcome = 'failed') as last_failure_at,
    round(avg(latency_ms) filter (where outcome = 'ok')) as avg_ok_latency_ms
from staging.stg_probe__probes
group by site_id, probe_day;

-- one row per counted failed probe (the evidence of W-V2); from stg_probe__probes and the registry
create or replace view marts.fct_probe_failures as
select
    p.site_id,
    s.site_code,
    s.name as site_name,
    p.probed_at,
    p.probe_day,
    p.url,
    p.status_code,
    p.error_class,
    p.error_detail,
    p.latency_ms,
    p.final_url,
    p.round_id,
    p.source
from staging.stg_probe__probes as p
join registry.sites as s on s.site_id = p.site_id
where p.outcome = 'failed';
