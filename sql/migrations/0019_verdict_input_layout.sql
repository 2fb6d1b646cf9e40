-- Two inputs of the verdict checks, laid out for what the checks read.
--
-- 1. The broken links (W-D15). marts.fct_gov_site__broken_links keeps the links whose check failed
--    (an HTTP error status or a fetch error, less the classes that are not the site's fault): about
--    one in 200 of a national crawl's 3 million links. W-D15 read all of them to find those; this
--    partial index, on the view's own condition, holds only the broken ones.
create index if not exists gov_site__links_broken_idx on raw.gov_site__links (crawl_run_id, site_id)
    where (status >= 400 or error_class is not null)
      and coalesce(error_class, '') not in ('robots_disallowed', 'budget', 'policy', 'too_large');

-- 2. The per-day probe counts (staging.stg_probe__site_days, migration 0015) in day order. W-V2
--    reads a week of them, 7 days of a quarter's 92. The rows of a day are written as that day's
--    rounds land, so they sit together; but a rebuild (the one migration 0015 ran, or a restore)
--    wrote them in the order of an aggregate, each day's rows spread over the whole table, and
--    reading a week then read most of its pages. A rebuild now writes them in key order (the key
--    leads with the day), and the rows already there are put in that order once, here.
create or replace function staging.rebuild_probe_site_days()
returns bigint
language plpgsql as $$
declare
    n bigint;
begin
    truncate staging.stg_probe__site_days;
    execute staging.add_probe_site_days_sql('raw.probe__probes');
    get diagnostics n = row_count;
    cluster staging.stg_probe__site_days using stg_probe__site_days_pkey;
    return n;
end;
$$;

cluster staging.stg_probe__site_days using stg_probe__site_days_pkey;
analyze staging.stg_probe__site_days;
