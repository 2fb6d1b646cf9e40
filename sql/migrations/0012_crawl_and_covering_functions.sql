-- Which crawl of a site, and which covering fetch of an account, a check judges: written once here
-- for every check that needs them (as 0009 did for the nearest and closest fetch).

-- one row per site: its gov_site crawl nearest to the 监测时间点's date within p_max_gap days,
-- preferring one on or after that date (it saw the site as it stood then), then the nearer, then
-- the later. Used by W-V3, W-V4, W-V5, W-D15, G-F1.
create or replace function staging.gov_site_crawl_nearest(p_as_of_date date, p_max_gap integer, p_tz text)
returns setof raw.gov_site__site_crawls
language sql stable parallel safe as $$
    select distinct on (c.site_id) c.*
    from raw.gov_site__site_crawls as c
    where c.spider = 'gov_site'
      and abs((c.started_at at time zone p_tz)::date - p_as_of_date) <= p_max_gap
    order by c.site_id, ((c.started_at at time zone p_tz)::date < p_as_of_date),
        abs((c.started_at at time zone p_tz)::date - p_as_of_date), c.started_at desc
$$;

-- one row per account: the earliest successful fetch taken on or after the 监测时间点's date (at most
-- p_gap_days after) that shows every post back to the first day of a p_window_days window (the
-- whole timeline, or its oldest post on or before that day): the fetch that can prove "no post".
-- Used by M-V2 (window: days without update) and M-L1 (days without an original).
create or replace function staging.media_fetch_covering(p_as_of_date date, p_gap_days integer, p_window_days integer)
returns setof staging.stg_media__fetches
language sql stable parallel safe as $$
    select distinct on (f.account_id) f.*
    from staging.stg_media__fetches as f
    where f.status = 'ok'
      and f.reference_date between p_as_of_date and p_as_of_date + p_gap_days
      and (f.complete or f.covers_from_date <= p_as_of_date - p_window_days + 1)
    order by f.account_id, f.reference_date, f.reference_at desc
$$;
