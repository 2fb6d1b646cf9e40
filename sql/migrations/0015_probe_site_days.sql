-- Availability probes counted per site, Beijing day, outcome class and five seconds of latency, kept
-- as the probes land.
--
-- W-V2 judges a week of probes (a national quarter: 14,000 sites × 48 a day × 7 days = 4.7 million
-- rows) and needs, per site and day, only counts by outcome and the first and last failure. This
-- table holds exactly those, written by triggers on raw.probe__probes and raw.probe__rounds in the
-- transaction that writes the probes, so it is never behind them. Nearly every probe opens the
-- homepage within a few seconds: about one row per site and day.
--
--   outcome_class   'control_failed' when the probe's round had a failed control probe (whatever the
--                   probe saw: our network was down, not theirs); else the probe's error_class, or
--                   'ok' when the homepage opened
--   latency_band    for 'ok' and 'timeout': latency_ms in whole 5-second bands (0: under 5 s, 1: 5 s
--                   to under 10 s, …; -1: none recorded); 0 for the other classes, whose latency
--                   no rule reads
--   probes          how many
--   first_at/last_at  the first and last probed_at
--   min/max_latency_ms, latency_nulls  the latencies' range, and how many probes have none
--
-- The profile's timeout is not applied here. W-V2 reads a row as a whole when its latencies all lie
-- on one side of the timeout, which a timeout of 5, 10, 15 (国办秘函〔2019〕19号), 20 … seconds always
-- finds, as it falls between bands; for any other timeout, a row that straddles it sends that site's
-- day back to its probes (see sql/verdicts/checks/w_v2__site__unreachable.sql).
--
-- Writes to raw.probe__probes go through the partitioned parent (every loader does): the triggers
-- are the parent's. staging.rebuild_probe_site_days() recomputes the whole table from the probes.

create table if not exists staging.stg_probe__site_days (
    site_id         bigint not null,
    probe_day       date not null,       -- Asia/Shanghai
    outcome_class   text not null,
    latency_band    integer not null,
    probes          integer not null,
    first_at        timestamptz not null,
    last_at         timestamptz not null,
    min_latency_ms  integer,
    max_latency_ms  integer,
    latency_nulls   integer not null,
    primary key (probe_day, site_id, outcome_class, latency_band)
) with (fillfactor = 70);  -- room for the in-page (HOT) updates that each round's probes make

-- The statement that adds the probes in `source` (a table, a transition table, or a parenthesized
-- subquery giving raw.probe__probes' columns) to the table, written once, as SQL to run: their rows,
-- added to the rows already there (so that two loaders adding to the same day both count). The
-- class is the round's control result first (a probe whose round is unknown counts as one whose
-- control did not fail, as in W-V2), then what the probe saw.
create or replace function staging.add_probe_site_days_sql(source text)
returns text
language sql immutable as $$
    select format($q$
        insert into staging.stg_probe__site_days as d
        select
            p.site_id,
            (p.probed_at at time zone 'Asia/Shanghai')::date,
            c.outcome_class,
            case when c.outcome_class in ('ok', 'timeout') then coalesce(p.latency_ms / 5000, -1) else 0 end,
            count(*)::int,
            min(p.probed_at),
            max(p.probed_at),
            min(p.latency_ms),
            max(p.latency_ms),
            (count(*) - count(p.latency_ms))::int
        from %s as p
        left join raw.probe__rounds as r on r.round_id = p.round_id
        cross join lateral (
            select case when r.control_ok is false then 'control_failed' else coalesce(p.error_class, 'ok') end
                as outcome_class
        ) as c
        group by 1, 2, 3, 4
        on conflict (probe_day, site_id, outcome_class, latency_band) do update set
            probes = d.probes + excluded.probes,
            first_at = least(d.first_at, excluded.first_at),
            last_at = greatest(d.last_at, excluded.last_at),
            min_latency_ms = least(d.min_latency_ms, excluded.min_latency_ms),
            max_latency_ms = greatest(d.max_latency_ms, excluded.max_latency_ms),
            latency_nulls = d.latency_nulls + excluded.latency_nulls
    $q$, source)
$$;

-- recompute, from the probes that are there now, the rows of the (site, Beijing day) keys of these
-- probes (given as their site_id and probed_at)
create or replace function staging.refresh_probe_site_days(site_ids bigint[], probed_ats timestamptz[])
returns void
language plpgsql as $$
declare
    key_sites bigint[];
    key_days date[];
begin
    select array_agg(site_id), array_agg(probe_day) into key_sites, key_days
    from (select distinct site_id, (probed_at at time zone 'Asia/Shanghai')::date as probe_day
          from unnest(site_ids, probed_ats) as p(site_id, probed_at)) as k;
    if key_sites is null then
        return;
    end if;
    delete from staging.stg_probe__site_days as d
    using unnest(key_sites, key_days) as k(site_id, probe_day)
    where d.site_id = k.site_id and d.probe_day = k.probe_day;
    execute staging.add_probe_site_days_sql($s$(
        select p.*
        from unnest($1, $2) as k(site_id, probe_day)
        join raw.probe__probes as p
          on p.site_id = k.site_id
         and p.probed_at >= k.probe_day::timestamp at time zone 'Asia/Shanghai'
         and p.probed_at < (k.probe_day + 1)::timestamp at time zone 'Asia/Shanghai')$s$)
    using key_sites, key_days;
end;
$$;

-- the whole table again, from every probe (the migration that made it; a restore of raw alone)
create or replace function staging.rebuild_probe_site_days()
returns bigint
language plpgsql as $$
declare
    n bigint;
begin
    truncate staging.stg_probe__site_days;
    execute staging.add_probe_site_days_sql('raw.probe__probes');
    get diagnostics n = row_count;
    return n;
end;
$$;

-- Probes inserted (a round's COPY, an import) add their counts to the rows they fall in; probes
-- deleted (a round stored again) or updated have their (site, day) keys recomputed, the old keys and
-- the new. One function for the four events: each branch reads only the transition tables its
-- event has (transition tables are visible to the trigger function's own statements, dynamic ones
-- included).
create or replace function staging.probe_site_days_changed() returns trigger
language plpgsql as $$
declare
    site_ids bigint[];
    probed_ats timestamptz[];
begin
    if tg_op = 'INSERT' then
        execute staging.add_probe_site_days_sql('new_probes');
    elsif tg_op = 'TRUNCATE' then
        truncate staging.stg_probe__site_days;
    elsif tg_op = 'DELETE' then
        select array_agg(site_id), array_agg(probed_at) into site_ids, probed_ats from old_probes;
    else
        select array_agg(site_id), array_agg(probed_at) into site_ids, probed_ats
        from (select site_id, probed_at from old_probes union all select site_id, probed_at from new_probes) as p;
    end if;
    if tg_op in ('DELETE', 'UPDATE') then
        perform staging.refresh_probe_site_days(site_ids, probed_ats);
    end if;
    return null;
end;
$$;

-- A round's control result decides its probes' class: a round that appeared, went or changed so
-- that it now fails (or no longer fails) its control has its probes' keys recomputed.
create or replace function staging.probe_site_days_round_changed() returns trigger
language plpgsql as $$
declare
    rounds text[];
    site_ids bigint[];
    probed_ats timestamptz[];
begin
    if tg_op = 'INSERT' then
        rounds := array(select round_id from new_rounds where control_ok is false);
    elsif tg_op = 'DELETE' then
        rounds := array(select round_id from old_rounds where control_ok is false);
    else
        rounds := array(
            select coalesce(n.round_id, o.round_id)
            from new_rounds as n
            full join old_rounds as o on o.round_id = n.round_id
            where (n.control_ok is false) is distinct from (o.control_ok is false));
    end if;
    select array_agg(site_id), array_agg(probed_at) into site_ids, probed_ats
    from raw.probe__probes where round_id = any(rounds);
    perform staging.refresh_probe_site_days(site_ids, probed_ats);
    return null;
end;
$$;

-- transition tables allow one event per trigger
drop trigger if exists probe_site_days_insert on raw.probe__probes;
create trigger probe_site_days_insert after insert on raw.probe__probes
    referencing new table as new_probes
    for each statement execute function staging.probe_site_days_changed();
drop trigger if exists probe_site_days_delete on raw.probe__probes;
create trigger probe_site_days_delete after delete on raw.probe__probes
    referencing old table as old_probes
    for each statement execute function staging.probe_site_days_changed();
drop trigger if exists probe_site_days_update on raw.probe__probes;
create trigger probe_site_days_update after update on raw.probe__probes
    referencing old table as old_probes new table as new_probes
    for each statement execute function staging.probe_site_days_changed();
drop trigger if exists probe_site_days_truncate on raw.probe__probes;
create trigger probe_site_days_truncate after truncate on raw.probe__probes
    for each statement execute function staging.probe_site_days_changed();

drop trigger if exists probe_site_days_round_insert on raw.probe__rounds;
create trigger probe_site_days_round_insert after insert on raw.probe__rounds
    referencing new table as new_rounds
    for each statement execute function staging.probe_site_days_round_changed();
drop trigger if exists probe_site_days_round_delete on raw.probe__rounds;
create trigger probe_site_days_round_delete after delete on raw.probe__rounds
    referencing old table as old_rounds
    for each statement execute function staging.probe_site_days_round_changed();
drop trigger if exists probe_site_days_round_update on raw.probe__rounds;
create trigger probe_site_days_round_update after update on raw.probe__rounds
    referencing old table as old_rounds new table as new_rounds
    for each statement execute function staging.probe_site_days_round_changed();

-- W-V2 lists the failed probes of the sites that do not pass; those whose homepage did not open are
-- found through this index (a few in a hundred probes), without reading the site's others
create index if not exists probe__probes_not_ok_idx on raw.probe__probes (site_id, probed_at) where not ok;

-- the probes already there
select staging.rebuild_probe_site_days();
