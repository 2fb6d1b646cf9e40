-- indicator: G-F1
-- entity: site
-- grain: one row per inspected site
--
-- G-F1 网站标识 (《政府网站发展指引》 [R]; INDICATORS.md G-F1, G-ID): the homepage footer should show the
-- 网站标识码, ICP备案编号, 公安机关备案标识 and 主办单位, and the 网站标识码 (footer and
-- <meta name="SiteIDCode">) must be the one in the registry (全国政府网站信息报送系统). From the
-- homepage's identity (raw.gov_site__identity) of the site crawl nearest to as_of.
-- Status:
--   unknown  no crawl near as_of, or the homepage could not be read
--   review   a 网站标识码 shown (footer or meta) differs from the registry: 网站标识码与系统不一致;
--            none shown at all: 未标注网站标识码 (a reviewer confirms: footers are sometimes images)
--   pass     the code shown is the registry's
-- ICP, 公安备案 and 主办单位 are reported in the evidence (with whether the 主办单位 matches the
-- registry) but decide nothing: a 主办单位 printed as "XX市人民政府" for a site registered to its 办公室
-- is common and legitimate.
with params as (
    select
        (%(as_of)s::timestamptz at time zone %(tz)s)::date as as_of_date,
        %(collection__max_crawl_gap_days)s::int as max_gap,
        %(tz)s::text as tz
),

inspected as (
    select site_id, site_code, organizer from registry.inspected_sites
),

crawl as (
    select c.* from params as p
    cross join lateral staging.gov_site_crawl_nearest(p.as_of_date, p.max_gap, p.tz) as c
),

judged as (
    select
        i.site_id,
        i.site_code as registry_code,
        i.organizer as registry_organizer,
        c.crawl_run_id,
        c.started_at,
        c.outcome,
        c.fail_class,
        p.max_gap,
        idn.page_url,
        lower(idn.footer_site_code) as footer_code,
        lower(idn.meta_site_code) as meta_code,
        idn.footer_icp,
        idn.footer_police,
        idn.footer_organizer,
        idn.meta_site_name,
        snap.snapshot_id,
        case
            when c.crawl_run_id is null or c.outcome <> 'ok' or idn.site_id is null then 'unknown'
            when coalesce(lower(idn.footer_site_code), lower(idn.meta_site_code)) is null then 'review'
            when coalesce(lower(idn.footer_site_code), i.site_code) <> i.site_code
                 or coalesce(lower(idn.meta_site_code), i.site_code) <> i.site_code then 'review'
            else 'pass'
        end as status
    from inspected as i
    cross join params as p
    left join crawl as c on c.site_id = i.site_id
    left join raw.gov_site__identity as idn on idn.crawl_run_id = c.crawl_run_id and idn.site_id = c.site_id
    left join raw.gov_site__snapshots as snap
        on snap.crawl_run_id = c.crawl_run_id and snap.site_id = c.site_id and snap.url = c.homepage_url
),

g_f1__site__identity as (
    select
        'site'::text as entity_type,
        j.site_id as entity_id,
        'G-F1'::text as indicator,
        j.status,
        case
            when j.status = 'review' and j.footer_code is null and j.meta_code is null then '未标注网站标识码'
            when j.status = 'review' then '网站标识码与系统不一致'
        end as problem,
        case
            when j.status = 'unknown' and j.crawl_run_id is null
                then '监测时间点前后' || j.max_gap || '天内无网站采集记录'
            when j.status = 'unknown'
                then '首页未能采集（' || coalesce(j.fail_class, '未知原因') || '），网站标识无法核对'
            when j.status = 'review' and j.footer_code is null and j.meta_code is null
                then '首页页脚和 SiteIDCode 标签均未见网站标识码（可能以图片显示），需人工核实'
            when j.status = 'review'
                then '网站显示的标识码（页脚 ' || coalesce(j.footer_code, '无') || '，SiteIDCode '
                     || coalesce(j.meta_code, '无') || '）与名录 ' || j.registry_code || ' 不一致，需人工核实'
        end as reason,
        jsonb_strip_nulls(jsonb_build_object(
            'crawl_run_id', j.crawl_run_id,
            'crawled_at', j.started_at,
            'page_url', j.page_url,
            'snapshot_id', j.snapshot_id,
            'registry_site_code', j.registry_code,
            'footer_site_code', j.footer_code,
            'meta_site_code', j.meta_code,
            'footer_icp', j.footer_icp,
            'footer_police', j.footer_police,
            'footer_organizer', j.footer_organizer,
            'registry_organizer', j.registry_organizer,
            'organizer_matches', case when j.footer_organizer is not null
                                      then j.footer_organizer = j.registry_organizer end,
            'meta_site_name', j.meta_site_name
        )) as evidence
    from judged as j
)

select * from g_f1__site__identity
order by entity_id
