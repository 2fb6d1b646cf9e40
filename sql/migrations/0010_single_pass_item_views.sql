-- The column and homepage item views (0004), same columns and meaning, read in one pass.
--
-- 0004 grouped every item by list to find a year shift (a list printing 月-日 only, whose inferred
-- year an article's PubDate corrects), which made Postgres materialize the whole join and
-- hash it against itself: 2 million list items cost seconds even when a check needed one site's.
-- The shift can only come from an item with year_shown false whose article has a date, so it is
-- now computed from those items alone (an inner join on the articles, few rows) and left-joined:
-- a list without such an item shifts by 0, as before. Both views are plain joins again, so a
-- filter on crawl_run_id / site_id reaches the base tables.

create or replace view staging.stg_gov_site__column_items as
with year_shift as (
    select li.crawl_run_id, li.site_id, li.column_url,
           max(extract(year from li.list_date)::int - extract(year from a.pub_date)::int) as years
    from raw.gov_site__list_items li
    join raw.gov_site__articles a
        on a.crawl_run_id = li.crawl_run_id and a.site_id = li.site_id and a.url = li.item_url
    where li.year_shown is false and a.pub_date is not null and li.list_date is not null
      and to_char(li.list_date, 'MM-DD') = to_char(a.pub_date, 'MM-DD')
      and a.pub_date < li.list_date
    group by li.crawl_run_id, li.site_id, li.column_url
),
adjusted as (
    select
        li.*,
        a.pub_date as article_date,
        a.date_source as article_date_source,
        case when li.year_shown is false and ys.years > 0
             then (li.list_date - make_interval(years => ys.years))::date
             else li.list_date end as list_date_adjusted
    from raw.gov_site__list_items li
    left join raw.gov_site__articles a
        on a.crawl_run_id = li.crawl_run_id and a.site_id = li.site_id and a.url = li.item_url
    left join year_shift ys
        on ys.crawl_run_id = li.crawl_run_id and ys.site_id = li.site_id and ys.column_url = li.column_url
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
with year_shift as (
    select h.crawl_run_id, h.site_id,
           max(extract(year from h.list_date)::int - extract(year from a.pub_date)::int) as years
    from raw.gov_site__homepage_items h
    join raw.gov_site__articles a
        on a.crawl_run_id = h.crawl_run_id and a.site_id = h.site_id and a.url = h.item_url
    where h.year_shown is false and a.pub_date is not null and h.list_date is not null
      and to_char(h.list_date, 'MM-DD') = to_char(a.pub_date, 'MM-DD')
      and a.pub_date < h.list_date
    group by h.crawl_run_id, h.site_id
),
joined as (
    select
        h.*,
        a.pub_date as article_date,
        a.date_source as article_date_source,
        case when h.year_shown is false and ys.years > 0
             then (h.list_date - make_interval(years => ys.years))::date else h.list_date end as list_date_adjusted
    from raw.gov_site__homepage_items h
    left join raw.gov_site__articles a
        on a.crawl_run_id = h.crawl_run_id and a.site_id = h.site_id and a.url = h.item_url
    left join year_shift ys on ys.crawl_run_id = h.crawl_run_id and ys.site_id = h.site_id
)
select
    crawl_run_id,
    site_id,
    item_url,
    position,
    title,
    date_text,
    year_shown,
    list_date_adjusted as list_date,
    coalesce(case when article_date_source like 'meta:%' then article_date end, list_date_adjusted, article_date)
        as item_date
from joined;
