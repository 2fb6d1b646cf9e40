-- An account's closest fetch at any distance, looked up for that account alone.
--
-- The new-media checks name the closest fetch only for an account with none near the 监测时间点
-- (what to say then: "监测时间点前后 N 天内没有采集记录（最近的一次在 …）"). They sorted every fetch
-- of every account for it, once per check; now they look it up, through the index on
-- (account_id, reference_at), for the few accounts that need it. The order is the one the
-- set-returning version (0009) used, which no check reads any more.

create or replace function staging.media_fetch_closest(p_as_of_date date, p_account_id bigint)
returns table (account_id bigint, reference_date date)
language sql stable as $$
    select f.account_id, f.reference_date
    from staging.stg_media__fetches as f
    where f.account_id = p_account_id
    order by abs(f.reference_date - p_as_of_date), f.reference_at desc
    limit 1
$$;

drop function if exists staging.media_fetch_closest(date);
