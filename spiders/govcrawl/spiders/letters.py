"""``letters``: only the 领导信箱 / 留言 lists of the sites — each letter's 留言时间, 回复时间 and status
(reading letter pages when the list shows no reply time). The full crawl (``gov_site``) does the same
as part of a site crawl; this spider refreshes letters alone, e.g. before a W-V5 review. Its per-site
rows carry ``spider = 'letters'``; the verdict checks read full crawls only.
"""

from __future__ import annotations

from govcrawl.spiders.gov_site import GovSiteSpider


class LettersSpider(GovSiteSpider):
    name = "letters"

    crawl_columns = False

    def article_request(self, st, url, column_url, parent):
        return iter(())

    def check_links(self, st, page, parent_url, on_homepage):
        return iter(())
