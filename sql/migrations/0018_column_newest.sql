-- Each column list's newest item date, kept as the crawl lands.
--
-- W-V4 needs, per column of the crawl it judges, the newest date among the column's items
-- (staging.stg_gov_site__column_items: the list's date, corrected by an article's PubDate and the
-- list's year shift). A national crawl has 2 million list items in 420,000 columns, and the view
-- joins each item to its article page. This table holds the result of that aggregate per column,
-- written by triggers on raw.gov_site__list_items and raw.gov_site__articles in the transaction that
-- loads the crawl, so it is never behind them.
--
--   items        how many list items the column has
--   dated_items  how many of them have a date (item_date not null)
--   latest_date  the newest item_date of the column, whatever the 监测时间点 (null: none is dated)
--
-- The 监测时间点 is not applied here. A check that ignores items dated after it reads latest_date as
-- it is when it falls on or before that day, which is every column of a crawl made on the day; for
-- a column whose newest item is later, it reads the column's items (see
-- sql/verdicts/checks/w_v4__site__columns_not_updated.sql).
--
-- Every change recomputes the columns of the (crawl run, site) pairs it touches, from the view: an
-- article page can move a date of any item that links to it, and the year shift of its list. The
-- crawl loader writes a run per (run, site) pair, deleting the pair's rows first (govmon/crawl/load.py).
-- staging.rebuild_column_newest() recomputes the whole table.

create table if not exists staging.stg_gov_site__column_newest (
    crawl_run_id  bigint not null,
    site_id       bigint not null,
    column_url    text not null,
    items         integer not null,
    dated_items   integer not null,
    latest_date   date,
    primary key (crawl_run_id, site_id, column_url)
);

-- what the table holds, computed from the items now: the aggregate, written once (a filter on
-- crawl_run_id / site_id reaches the items, as they are grouping keys)
create or replace view staging.column_newest_of_items as
select crawl_run_id, site_id, column_url, count(*)::int as items, count(item_date)::int as dated_items,
       max(item_date) as latest_date
from staging.stg_gov_site__column_items
group by crawl_run_id, site_id, column_url;

-- recompute the columns of every (crawl run, site) pair of these runs and sites, from the rows that
-- are there now (the arrays' cross product: a load is one run, so that is the pairs themselves).
-- Dynamic SQL so that the arrays are planned as constants: a filter on a run and thousands of sites
-- is then a hashed lookup, read through the tables' keys (crawl_run_id, site_id, …).
create or replace function staging.refresh_column_newest(p_runs bigint[], p_sites bigint[])
returns void
language plpgsql as $$
begin
    if p_runs is null or p_sites is null then
        return;
    end if;
    execute $q$
        delete from staging.stg_gov_site__column_newest
        where crawl_run_id = any($1) and site_id = any($2)
    $q$ using p_runs, p_sites;
    execute $q$
        insert into staging.stg_gov_site__column_newest
        select * from staging.column_newest_of_items where crawl_run_id = any($1) and site_id = any($2)
    $q$ using p_runs, p_sites;
end;
$$;

-- the whole table again, from every list item (the migration that made it; a restore of raw alone)
create or replace function staging.rebuild_column_newest()
returns bigint
language plpgsql as $$
declare
    n bigint;
begin
    truncate staging.stg_gov_site__column_newest;
    insert into staging.stg_gov_site__column_newest select * from staging.column_newest_of_items;
    get diagnostics n = row_count;
    return n;
end;
$$;

-- List items or article pages inserted, deleted or updated: the pairs they belong to, old and new,
-- recomputed. A truncate of the list items empties the table; of the article pages, rebuilds it.
-- Both tables' triggers name their transition tables old_rows / new_rows, read only in the branch
-- of the event that has them.
create or replace function staging.column_newest_changed() returns trigger
language plpgsql as $$
declare
    runs bigint[];
    sites bigint[];
begin
    if tg_op = 'TRUNCATE' then
        if tg_table_name = 'gov_site__list_items' then
            truncate staging.stg_gov_site__column_newest;
        else
            perform staging.rebuild_column_newest();
        end if;
        return null;
    elsif tg_op = 'INSERT' then
        select array_agg(distinct crawl_run_id), array_agg(distinct site_id) into runs, sites from new_rows;
    elsif tg_op = 'DELETE' then
        select array_agg(distinct crawl_run_id), array_agg(distinct site_id) into runs, sites from old_rows;
    else
        select array_agg(distinct crawl_run_id), array_agg(distinct site_id) into runs, sites
        from (select crawl_run_id, site_id from old_rows
              union all select crawl_run_id, site_id from new_rows) as r;
    end if;
    perform staging.refresh_column_newest(runs, sites);
    return null;
end;
$$;

-- the same four triggers on both tables (transition tables allow one event per trigger)
do $$
declare
    t text;
begin
    foreach t in array array['raw.gov_site__list_items', 'raw.gov_site__articles'] loop
        execute format('drop trigger if exists column_newest_insert on %1$s; '
                       'create trigger column_newest_insert after insert on %1$s '
                       'referencing new table as new_rows '
                       'for each statement execute function staging.column_newest_changed()', t);
        execute format('drop trigger if exists column_newest_delete on %1$s; '
                       'create trigger column_newest_delete after delete on %1$s '
                       'referencing old table as old_rows '
                       'for each statement execute function staging.column_newest_changed()', t);
        execute format('drop trigger if exists column_newest_update on %1$s; '
                       'create trigger column_newest_update after update on %1$s '
                       'referencing old table as old_rows new table as new_rows '
                       'for each statement execute function staging.column_newest_changed()', t);
        execute format('drop trigger if exists column_newest_truncate on %1$s; '
                       'create trigger column_newest_truncate after truncate on %1$s '
                       'for each statement execute function staging.column_newest_changed()', t);
    end loop;
end;
$$;

-- the list items already there
select staging.rebuild_column_newest();
