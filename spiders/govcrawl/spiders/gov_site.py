"""``gov_site``: the site spider. Per site: robots.txt → homepage → navigation → column list pages →
pagination as far back as the profile's longest window (columns.long_term_max_days) → a sample of
article pages; the 领导信箱 list (letters spider part); every link on every crawled page checked
(link checker part). Items go to the COPY pipeline.

Stops and traps (recorded, never silent):
- a column stops at its last page, once a page's oldest item is older than the window, when a page
  repeats the previous page's items (pagination trap), when its next page was already seen, or at
  GOVCRAWL_MAX_PAGES_PER_COLUMN (budget);
- a calendar (活动日历: month pages linking to the next month forever) is read once and recorded as
  a ``trap``, never paged;
- per site: a page budget, a link budget and a time budget.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import scrapy

from govcrawl.spiders.base import ColumnState, GovSpiderBase, SiteState, now, resolve_override_url
from govmon.parsing.columns import ColumnShapes, classify_column, is_calendar, is_letters_name, month_in_url
from govmon.parsing.dates import article_date
from govmon.parsing.footer import parse_identity
from govmon.parsing.letters import parse_letter_detail, parse_letters
from govmon.parsing.links import canonical, link_kind
from govmon.parsing.listing import extract_list
from govmon.parsing.navigation import parse_homepage

P_HOME, P_COLUMN, P_NEXT, P_LETTERS, P_ARTICLE = 100, 50, 40, 45, 20


class GovSiteSpider(GovSpiderBase):
    name = "gov_site"
    crawl_columns = True    # the letters spider reads the 领导信箱 only

    async def start(self):
        self.setup_sites()
        for st in self.sites:
            sp = urlsplit(st.homepage_url)
            robots = canonical(f"{sp.scheme}://{sp.netloc}/robots.txt")
            yield scrapy.Request(robots, callback=self.on_robots, errback=self.on_robots_error,
                                 meta={"site": st.site_id, "kind": "robots", "download_slot": f"site{st.site_id}",
                                       "handle_httpstatus_list": list(range(300, 600)), "dont_redirect": True},
                                 priority=P_HOME + 10, dont_filter=True)

    # ---- robots.txt --------------------------------------------------------------------------
    def on_robots(self, response):
        st = self.state(response)
        st.robots_status = response.status
        yield self.page_row(st, response, "robots")
        if response.status == 200:
            text = response.body[:65536].decode("utf-8", errors="replace")
            st.robots_txt = text
            try:
                from protego import Protego

                st.robots = Protego.parse(text)
            except Exception as exc:  # an unreadable robots.txt restricts nothing
                yield self.fault(st, response.url, "robots", "parse_error", detail=str(exc))
        yield from self.home_request(st)

    def on_robots_error(self, failure):
        st = self._by_id[failure.request.meta["site"]]
        cls, detail = self.classify(failure)
        yield self.fault(st, failure.request.url, "robots", cls, detail=detail)
        yield from self.home_request(st)

    def home_request(self, st: SiteState):
        # the homepage is always fetched: the inspection looks at it whatever robots.txt says
        url = canonical(st.homepage_url)
        st.pages_fetched += 1
        st.get_scheduled.add(url)
        yield scrapy.Request(url, callback=self.on_home, errback=self.on_error,
                             meta={"site": st.site_id, "kind": "home", "download_slot": f"site{st.site_id}",
                                   "handle_httpstatus_list": list(range(400, 600))},
                             priority=P_HOME, dont_filter=True)

    # ---- homepage ----------------------------------------------------------------------------
    def failed_home(self, st: SiteState, request, cls: str, detail: str):
        st.outcome, st.fail_class, st.fail_detail = "failed", cls, detail
        return None

    def on_home(self, response):
        st = self.state(response)
        st.start_clock()
        st.homepage_status = response.status
        st.final_url = response.url
        st.hosts.add((urlsplit(response.url).hostname or "").lower())
        ctype = response.headers.get("Content-Type", b"").decode("latin-1") or None
        if response.status >= 400:
            cls = "http_5xx" if response.status >= 500 else "http_4xx"
            st.outcome, st.fail_class, st.fail_detail = "failed", cls, f"HTTP {response.status}"
            yield self.page_row(st, response, "home")
            yield self.fault(st, response.url, "home", cls, status=response.status)
            yield from self.finish_get(st, st.homepage_url, response.status, cls, response.url)
            return
        if not response.body.strip():
            st.outcome, st.fail_class, st.fail_detail = "failed", "empty_body", "首页返回空白内容"
            yield self.page_row(st, response, "home")
            yield self.fault(st, response.url, "home", "empty_body", status=response.status)
            yield from self.finish_get(st, st.homepage_url, response.status, "empty_body", response.url)
            return
        page, decoded = self.decode(st, response)
        st.outcome, st.fail_class, st.fail_detail = "ok", None, None
        st.encoding, st.declared, st.encoding_mismatch = decoded.encoding, decoded.declared, decoded.mismatch
        yield self.page_row(st, response, "home", decoded, page)
        yield from self.page_faults(st, response, "home", decoded, page)
        yield from self.finish_get(st, st.homepage_url, response.status, None, response.url)
        snap = self.snapshot(st, st.homepage_url, response.body, response.status, ctype)
        if snap:
            yield snap
        ident = parse_identity(page)
        yield {"_table": "gov_site__identity", "site_id": st.site_id, "page_url": canonical(st.homepage_url),
               "footer_site_code": ident.site_code, "footer_icp": ident.icp, "footer_police": ident.police,
               "footer_organizer": ident.organizer, "meta_site_code": ident.meta_site_code,
               "meta_site_name": ident.meta_site_name, "meta_site_domain": ident.meta_site_domain,
               "footer_excerpt": ident.footer_excerpt}
        try:
            hp = parse_homepage(page, st.ref)
        except Exception as exc:  # a page no heuristic can read is recorded, the crawl goes on
            yield self.fault(st, response.url, "home", "parse_error", detail=f"{type(exc).__name__}: {exc}")
            return
        st.navigation_only = hp.navigation_only
        st.nav_links = len(hp.nav)
        st.homepage_items = len(hp.items)
        st.homepage_dated = len(hp.dated_items)
        for it in hp.items:
            yield {"_table": "gov_site__homepage_items", "site_id": st.site_id, "item_url": canonical(it.url),
                   "position": it.position, "title": it.title[:300], "date_text": it.date_text,
                   "list_date": it.date, "year_shown": it.year_shown}
        # undated homepage items: read a few articles for their dates; 月-日 dates: read the newest
        # item's article, whose year corrects the inferred ones (staging.stg_gov_site__homepage_items)
        if hp.items and not hp.dated_items:
            for it in hp.items[:self.settings.getint("GOVCRAWL_ARTICLES_UNDATED")]:
                yield from self.article_request(st, it.url, None, response.url)
        yearless = [it for it in hp.dated_items if it.year_shown is False]
        if yearless:
            newest = max(yearless, key=lambda it: it.date)
            yield from self.article_request(st, newest.url, None, response.url)
        yield from self.discover_columns(st, hp, response.url)
        yield from self.check_links(st, page, st.homepage_url, on_homepage=True)

    def discover_columns(self, st: SiteState, hp, home_url: str):
        overrides = (st.site.overrides or {}).get("columns") or []
        by_url = {resolve_override_url(home_url, o["url"]): o for o in overrides if o.get("url")}
        by_name = {o["name"]: o for o in overrides if o.get("name") and not o.get("url")}
        candidates = [(lk.name, canonical(lk.url), lk.source) for lk in hp.columns()]
        seen = {u for _, u, _ in candidates}
        for u, o in by_url.items():  # columns the navigation does not show, added by an operator
            if u not in seen and not o.get("ignore"):
                candidates.append((o.get("name"), u, "override"))
        home = canonical(st.homepage_url)
        for name, url, source in candidates:
            if url == home or url in st.columns or not st.is_own(url) or link_kind(url) != "page":
                continue
            ov = by_url.get(url) or by_name.get(name or "") or {}
            if ov.get("ignore"):
                continue
            if ov.get("letters") or (not ov.get("type") and is_letters_name(name)):
                if st.letters_url is None:
                    st.letters_url = url
                    st.letters_status = "pending"
                    col = ColumnState(url, name, kind="letters", found_on=source, column_type="interaction",
                                      type_source="name")
                    st.columns[url] = col
                    st.known_urls.add(url)
                    yield from self.get(st, url, "letters", self.on_letters, P_LETTERS, {"page_no": 0, "col": url})
                    if url not in st.get_scheduled:
                        st.letters_status = "failed"
                continue
            kind = "calendar" if is_calendar(name, url) else "column"
            col = ColumnState(url, name, kind=kind, level=int(ov.get("level") or 1), found_on=source, override=ov)
            st.columns[url] = col
            st.known_urls.add(url)
        letters_ov = (st.site.overrides or {}).get("letters_url")
        if letters_ov and st.letters_url is None:
            url = resolve_override_url(home_url, letters_ov)
            st.letters_url, st.letters_status = url, "pending"
            st.columns[url] = ColumnState(url, "领导信箱", kind="letters", found_on="override",
                                          column_type="interaction", type_source="override")
            st.known_urls.add(url)
            yield from self.get(st, url, "letters", self.on_letters, P_LETTERS, {"page_no": 0, "col": url})
        if not self.crawl_columns:
            for u in [u for u, c in st.columns.items() if c.kind != "letters"]:
                del st.columns[u]
            return
        st.shapes = ColumnShapes([c.url for c in st.columns.values() if c.kind == "column"])
        for col in list(st.columns.values()):
            if col.kind in ("column", "calendar"):
                yield from self.column_request(st, col, col.url, 0)

    # ---- columns -----------------------------------------------------------------------------
    def column_request(self, st: SiteState, col: ColumnState, url: str, page_no: int, parent: str | None = None):
        """A column's list page; a page 0 refused (robots.txt, page or time budget) leaves the column
        unmeasured, never silently empty."""
        yield from self.get(st, url, "column", self.on_column, P_COLUMN if page_no == 0 else P_NEXT,
                            {"page_no": page_no, "col": col.url}, parent=parent)
        if canonical(url) not in st.get_scheduled:
            if page_no == 0:
                col.fail_class = "robots_disallowed" if not self.allowed_by_robots(st, canonical(url)) else "budget"
            col.stop_reason = "budget" if col.fail_class != "robots_disallowed" else "error"

    def failed_column(self, st: SiteState, request, cls: str, detail: str):
        col = st.columns.get(request.meta.get("col"))
        if col is not None:
            if request.meta.get("page_no", 0) == 0:
                col.fail_class = cls
            col.stop_reason = "error"
        return None

    def on_column(self, response):
        st = self.state(response)
        col: ColumnState = st.columns[response.meta["col"]]
        page_no = response.meta["page_no"]
        url = canonical(response.meta.get("redirect_urls", [response.request.url])[0])
        ctype = response.headers.get("Content-Type", b"").decode("latin-1") or None
        if response.status >= 400:
            cls = "http_5xx" if response.status >= 500 else "http_4xx"
            yield self.page_row(st, response, "column")
            yield self.fault(st, response.url, "column", cls, status=response.status, parent=response.meta.get("parent"))
            yield from self.finish_get(st, url, response.status, cls, response.url)
            if page_no == 0:
                col.fail_class, col.list_status = cls, response.status
            col.stop_reason = "error"
            return
        page, decoded = self.decode(st, response)
        yield self.page_row(st, response, "calendar" if col.kind == "calendar" else "column", decoded, page)
        yield from self.page_faults(st, response, "column", decoded, page)
        yield from self.finish_get(st, url, response.status, None, response.url)
        col.pages_crawled += 1
        col.pages_seen.add(url)
        if page_no == 0:
            col.list_status, col.list_fetched_at = response.status, now()
            snap = self.snapshot(st, url, response.body, response.status, ctype)
            if snap:
                yield snap
            col.meta_column_name = page.metas.get("columnname")
            col.meta_column_type = page.metas.get("columntype")
            if not col.name:
                col.name = col.meta_column_name or (page.title.split("_")[0].split("|")[0].strip() or None)
            try:
                col.column_type, col.type_source = classify_column(col.name, col.meta_column_type,
                                                                   col.meta_column_name, page.title,
                                                                   col.override.get("type"))
            except ValueError:
                col.column_type, col.type_source = classify_column(col.name, col.meta_column_type,
                                                                   col.meta_column_name, page.title)
        else:
            self.remember(st, url, response.body, response.status, ctype)
        try:
            yield from self.read_list(st, col, page, response, page_no, url)
        except Exception as exc:  # never a crash: record, stop this column
            col.stop_reason = "error"
            yield self.fault(st, response.url, "column", "parse_error", detail=f"{type(exc).__name__}: {exc}")
        yield from self.check_links(st, page, url, on_homepage=False)

    def read_list(self, st: SiteState, col: ColumnState, page, response, page_no: int, url: str):
        result = extract_list(page, st.ref, exclude=st.known_urls | {canonical(st.homepage_url)},
                              start_after=col.last_date)
        next_url = canonical(result.next_url) if result.next_url else None
        # a calendar: month pages linking to the next month forever
        if page_no == 0 and (col.kind == "calendar" or (next_url and month_in_url(next_url) and month_in_url(url)
                                                        and not result.items)):
            col.kind = "calendar"
            col.stop_reason = "trap"
            yield self.fault(st, url, "column", "trap", detail=f"日历页（逐月翻页无尽头），只读取一页：{col.name or ''}")
            return
        subcolumns = []
        if page_no == 0 and col.level < self.settings.getint("GOVCRAWL_MAX_LEVEL") and st.shapes is not None:
            item_urls = {canonical(i.url) for i in result.items}
            for lk in page.anchors():
                u = canonical(lk.url)
                if (u in st.columns or u in item_urls or u == url or not st.is_own(u) or not lk.text
                        or len(lk.text) > 16 or not st.shapes.matches(u) or u in st.known_urls):
                    continue
                if u not in {s for s, _ in subcolumns}:
                    subcolumns.append((u, lk.text))
        if page_no == 0 and not result.items and len(subcolumns) >= 2:
            col.kind = "landing"       # a section page: its sub-columns are the site's columns
            col.stop_reason = "last_page"
        child_level = col.level if col.kind == "landing" else col.level + 1
        for u, text in subcolumns:
            if is_letters_name(text):
                # a 领导信箱 under a section (互动交流 > 领导信箱) is the site's letters channel
                if st.letters_url is None:
                    st.letters_url, st.letters_status = u, "pending"
                    st.columns[u] = ColumnState(u, text, kind="letters", level=child_level, found_on="subcolumn",
                                                column_type="interaction", type_source="name")
                    st.known_urls.add(u)
                    yield from self.get(st, u, "letters", self.on_letters, P_LETTERS, {"page_no": 0, "col": u},
                                        parent=url)
                    if u not in st.get_scheduled:
                        st.letters_status = "failed"
                continue
            child = ColumnState(u, text, kind="calendar" if is_calendar(text, u) else "column", level=child_level,
                                parent_url=None if col.kind == "landing" else col.url, found_on="subcolumn")
            st.columns[u] = child
            st.known_urls.add(u)
            yield from self.column_request(st, child, u, 0, parent=url)
        if col.kind == "landing":
            return
        items = result.items
        if page_no == 0 and not items:
            col.is_blank, col.blank_marker, col.stop_reason = True, result.blank_marker, "last_page"
            return
        page_items = tuple(canonical(i.url) for i in items)
        if page_no > 0 and page_items and page_items == col.prev_page_items:
            col.stop_reason = "trap"
            yield self.fault(st, url, "column", "trap", detail=f"翻页陷阱：第{page_no + 1}页与上一页内容相同")
            return
        col.prev_page_items = page_items
        for it in items:
            iu = canonical(it.url)
            if iu in col.items_seen:
                continue
            col.items_seen.add(iu)
            if it.date is not None:
                col.dated_items += 1
                if col.list_latest_date is None or it.date > col.list_latest_date:
                    col.list_latest_date = it.date
            yield {"_table": "gov_site__list_items", "site_id": st.site_id, "column_url": col.url, "item_url": iu,
                   "list_url": url, "page_no": page_no, "position": it.position, "title": it.title[:300],
                   "date_text": it.date_text, "list_date": it.date, "year_shown": it.year_shown}
        dated = [i.date for i in items if i.date is not None]
        if dated:
            col.last_date = min(dated)
        if page_no == 0:
            n = (self.settings.getint("GOVCRAWL_ARTICLES_PER_COLUMN") if dated
                 else self.settings.getint("GOVCRAWL_ARTICLES_UNDATED"))
            for it in items[:n]:
                yield from self.article_request(st, it.url, col.url, url)
        # how far back: the profile's longest window
        if not next_url:
            col.stop_reason = "last_page"
        elif not dated:
            col.stop_reason = "undated"
        elif min(dated) < st.ref - dt.timedelta(days=self.window_days):
            col.stop_reason = "window"
        elif next_url in col.pages_seen:
            col.stop_reason = "trap"
            yield self.fault(st, next_url, "column", "trap", detail="翻页循环：下一页已读过")
        elif col.pages_crawled >= self.settings.getint("GOVCRAWL_MAX_PAGES_PER_COLUMN"):
            col.stop_reason = "budget"
            yield self.fault(st, next_url, "column", "budget",
                             detail=f"栏目翻页达到上限 {col.pages_crawled} 页仍未到监测窗口起点")
        else:
            yield from self.column_request(st, col, next_url, page_no + 1, parent=url)

    # ---- articles ----------------------------------------------------------------------------
    def article_request(self, st: SiteState, url: str, column_url: str | None, parent: str):
        url = canonical(url)
        if url in st.articles_scheduled or not st.is_own(url) or link_kind(url) != "page":
            return
        st.articles_scheduled.add(url)
        yield from self.get(st, url, "article", self.on_article, P_ARTICLE, {"col": column_url}, parent=parent)

    def on_article(self, response):
        st = self.state(response)
        url = canonical(response.meta.get("redirect_urls", [response.request.url])[0])
        ctype = response.headers.get("Content-Type", b"").decode("latin-1") or None
        if response.status >= 400:
            cls = "http_5xx" if response.status >= 500 else "http_4xx"
            yield self.page_row(st, response, "article")
            yield self.fault(st, response.url, "article", cls, status=response.status,
                             parent=response.meta.get("parent"))
            yield from self.finish_get(st, url, response.status, cls, response.url)
            return
        page, decoded = self.decode(st, response)
        yield self.page_row(st, response, "article", decoded, page)
        yield from self.page_faults(st, response, "article", decoded, page)
        yield from self.finish_get(st, url, response.status, None, response.url)
        self.remember(st, url, response.body, response.status, ctype)
        ad = article_date(page.metas, page.body_text)
        yield {"_table": "gov_site__articles", "site_id": st.site_id, "url": url, "column_url": response.meta.get("col"),
               "title": (page.metas.get("articletitle") or page.title)[:300],
               "pub_date": ad.date if ad else None, "pub_at": ad.at if ad else None,
               "date_source": ad.source if ad else None, "meta_column_name": page.metas.get("columnname"),
               "meta_column_type": page.metas.get("columntype"), "fetched_at": now()}
        yield from self.check_links(st, page, url, on_homepage=False)

    # ---- letters (领导信箱) --------------------------------------------------------------------
    def failed_letters(self, st: SiteState, request, cls: str, detail: str):
        if request.meta.get("page_no", 0) == 0:
            st.letters_status = "failed"
        return None

    def on_letters(self, response):
        st = self.state(response)
        page_no = response.meta["page_no"]
        col = st.columns.get(response.meta["col"])
        url = canonical(response.meta.get("redirect_urls", [response.request.url])[0])
        ctype = response.headers.get("Content-Type", b"").decode("latin-1") or None
        if response.status >= 400:
            cls = "http_5xx" if response.status >= 500 else "http_4xx"
            yield self.page_row(st, response, "letters")
            yield self.fault(st, response.url, "letters", cls, status=response.status)
            yield from self.finish_get(st, url, response.status, cls, response.url)
            if page_no == 0:
                st.letters_status = "failed"
                if col:
                    col.fail_class, col.list_status = cls, response.status
            return
        page, decoded = self.decode(st, response)
        yield self.page_row(st, response, "letters", decoded, page)
        yield from self.page_faults(st, response, "letters", decoded, page)
        yield from self.finish_get(st, url, response.status, None, response.url)
        if col is not None:
            col.pages_crawled += 1
            col.pages_seen.add(url)
        if page_no == 0:
            if col is not None:
                col.list_status, col.list_fetched_at = response.status, now()
            snap = self.snapshot(st, url, response.body, response.status, ctype)
            if snap:
                yield snap
        else:
            self.remember(st, url, response.body, response.status, ctype)
        yield from self.read_letters(st, col, page, url, page_no, response)
        yield from self.check_links(st, page, url, on_homepage=False)

    def read_letters(self, st: SiteState, col, page, url: str, page_no: int, response):
        lp = parse_letters(page, st.ref)
        if page_no == 0:
            st.letters_status = "read" if lp.found else "unreadable"
        if not lp.found:
            if col is not None:
                col.stop_reason = "error"
            return
        details = self.settings.getint("GOVCRAWL_LETTER_DETAILS")
        for pos, lt in enumerate(lp.letters):
            key = (lt.url or "", lt.title, lt.asked)
            if key in st.letters_seen:
                continue
            st.letters_seen.add(key)
            if col is not None and lt.url:
                col.items_seen.add(lt.url)
            row = {"_table": "gov_site__letters", "site_id": st.site_id, "list_url": url, "page_no": page_no,
                   "position": pos, "letter_url": canonical(lt.url) if lt.url else None, "title": lt.title[:300],
                   "asked_text": lt.asked_text, "asked_date": lt.asked, "replied_text": lt.replied_text,
                   "replied_date": lt.replied, "status_text": lt.status}
            if not lp.has_reply_column and lt.url and st.letter_details < details and st.is_own(lt.url):
                # no reply time on the list: read it from the letter's page (the row is written there)
                st.letter_details += 1
                yield from self.get(st, lt.url, "letter", self.on_letter, P_ARTICLE, {"letter_row": row},
                                    parent=url)
                if canonical(lt.url) in st.get_scheduled:
                    continue
            yield row
        asked = [lt.asked for lt in lp.letters if lt.asked is not None]
        window_start = st.ref - dt.timedelta(days=self.letters_window_days)
        if col is not None:
            if not lp.next_url:
                col.stop_reason = "last_page"
            elif asked and min(asked) < window_start:
                col.stop_reason = "window"
            elif canonical(lp.next_url) in col.pages_seen or page_no + 1 >= 50:
                col.stop_reason = "trap"
            else:
                col.pages_seen.add(canonical(lp.next_url))
                yield from self.get(st, lp.next_url, "letters", self.on_letters, P_LETTERS,
                                    {"page_no": page_no + 1, "col": col.url}, parent=url)

    def on_letter(self, response):
        st = self.state(response)
        row = dict(response.meta["letter_row"])
        url = canonical(response.meta.get("redirect_urls", [response.request.url])[0])
        yield from self.finish_get(st, url, response.status, None if response.status < 400 else "http_4xx",
                                   response.url)
        if response.status < 400:
            page, decoded = self.decode(st, response)
            yield self.page_row(st, response, "letter", decoded, page)
            detail = parse_letter_detail(page, st.ref)
            row["replied_date"] = row.get("replied_date") or detail.replied
            row["replied_text"] = row.get("replied_text") or detail.replied_text
            row["asked_date"] = row.get("asked_date") or detail.asked
            row["status_text"] = row.get("status_text") or detail.status
        yield row

    def failed_letter(self, st: SiteState, request, cls: str, detail: str):
        return iter([request.meta["letter_row"]])
