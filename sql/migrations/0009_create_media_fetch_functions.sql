-- Which fetch of an account a check judges, written once for every new-media check.

-- one row per account: the fetch nearest to the 监测时间点's date within gap_days, preferring one on or
-- after that date (it saw everything up to it), then the nearer, then the later; from stg_media__fetches
create or replace function staging.media_fetch_nearest(p_as_of_date date, p_gap_days integer)
returns setof staging.stg_media__fetches
language sql stable as $$
    select distinct on (f.account_id) f.*
    from staging.stg_media__fetches as f
    where abs(f.reference_date - p_as_of_date) <= p_gap_days
    order by f.account_id, (f.reference_date < p_as_of_date), abs(f.reference_date - p_as_of_date),
             f.reference_at desc
$$;

-- one row per account: the date of its closest fetch at any distance (what to say when none is near enough)
create or replace function staging.media_fetch_closest(p_as_of_date date)
returns table (account_id bigint, reference_date date)
language sql stable as $$
    select distinct on (f.account_id) f.account_id, f.reference_date
    from staging.stg_media__fetches as f
    order by f.account_id, abs(f.reference_date - p_as_of_date), f.reference_at desc
$$;
