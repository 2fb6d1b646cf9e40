"""``link_check``: check links again, without crawling. By default the links a site's latest full
crawl found broken (``-a recheck=broken``; ``all`` re-checks every link it recorded), to confirm a
finding before a report: a server that was down for a minute should not cost a site points.
Each link gets a fresh HEAD (GET when HEAD fails); rows go to ``raw.gov_site__links`` under this
run, with per-site rows ``spider = 'link_check'``.
"""

from __future__ import annotations

import scrapy

from govcrawl.spiders.base import ERROR_STATUSES, GovSpiderBase


class LinkCheckSpider(GovSpiderBase):
    name = "link_check"

    def __init__(self, recheck: str = "broken", *args, **kwargs):
        super().__init__(*args, **kwargs)
        if recheck not in ("broken", "all"):
            raise ValueError("recheck must be 'broken' or 'all'")
        self.recheck = recheck

    def links_to_check(self) -> dict[int, list[tuple]]:
        from govmon import db

        ids = [st.site_id for st in self.sites]
        only_broken = self.recheck == "broken"
        with db.transaction() as cur:
            cur.execute(
                """
                with latest as (
                    select distinct on (site_id) crawl_run_id, site_id
                    from raw.gov_site__site_crawls
                    where spider = 'gov_site' and outcome = 'ok' and site_id = any(%s)
                    order by site_id, started_at desc
                )
                select l.site_id, l.url, l.parent_url, l.on_homepage, l.tag, l.link_kind, l.is_outbound
                from raw.gov_site__links l join latest using (crawl_run_id, site_id)
                where not %s or l.status >= 400 or (l.error_class is not null and l.error_class not in
                      ('robots_disallowed', 'budget', 'policy', 'too_large'))
                order by l.site_id, l.url
                """, (ids, only_broken))
            out: dict[int, list[tuple]] = {}
            for row in cur.fetchall():
                out.setdefault(row[0], []).append(row[1:])
        return out

    async def start(self):
        self.setup_sites()
        todo = self.links_to_check()
        for st in self.sites:
            st.outcome, st.fail_class, st.fail_detail = "ok", None, None
            for url, parent, on_home, tag, kind, outbound in todo.get(st.site_id, []):
                if st.links_checked >= st.link_budget:
                    st.hit_budget("links")
                    continue
                st.links_checked += 1
                st.link_seen.add(url)
                rec = {"parent_url": parent, "on_homepage": on_home, "tag": tag, "link_kind": kind,
                       "is_outbound": outbound}
                meta = {"site": st.site_id, "kind": "link", "link": rec, "handle_httpstatus_list": ERROR_STATUSES}
                if not outbound:
                    meta["download_slot"] = f"site{st.site_id}"
                yield scrapy.Request(url, method="HEAD", callback=self.on_link, errback=self.on_error, meta=meta,
                                     dont_filter=True)
