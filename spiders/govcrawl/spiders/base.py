"""What the three spiders share: the sites of a shard and their state, budgets, robots.txt, link
checks, faults and evidence snapshots. Extraction is in ``govmon.parsing``; here is only navigation
and bookkeeping.

Every request carries ``dont_filter`` (the spider deduplicates per site itself, and a redirect loop
through an already-seen URL must reach the errback, not vanish in a dupe filter), the site's
download slot (at most 2 concurrent requests per site, AutoThrottle per site) and
``handle_httpstatus_list`` for every 4xx/5xx (so error pages reach the callbacks while redirects
are still followed).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
import zlib
from collections import OrderedDict
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import scrapy

from govmon import clock
from govmon.parsing.dates import TZ
from govmon.parsing.encoding import decode_html
from govmon.parsing.html import Page
from govmon.parsing.links import canonical, classify_failure, link_kind, status_class

ERROR_STATUSES = list(range(400, 600))
RECENT_PAGES = 20   # compressed recent pages kept per site, to snapshot a parent once a link on it fails


def now() -> dt.datetime:
    """The pipeline's clock (govmon.clock: the real one unless a simulated world shifts it)."""
    return clock.now(TZ)


@dataclass
class CrawlSite:
    site_id: int
    site_code: str
    name: str
    url: str
    organizer: str = ""
    overrides: dict = field(default_factory=dict)


@dataclass
class ColumnState:
    url: str
    name: str | None
    kind: str = "column"            # column | letters | calendar | landing
    level: int = 1
    parent_url: str | None = None
    found_on: str = "nav"
    column_type: str = "other"
    type_source: str = "default"
    override: dict = field(default_factory=dict)
    meta_column_name: str | None = None
    meta_column_type: str | None = None
    list_status: int | None = None
    list_fetched_at: dt.datetime | None = None
    fail_class: str | None = None
    pages_crawled: int = 0
    items_seen: set = field(default_factory=set)
    dated_items: int = 0
    list_latest_date: dt.date | None = None
    is_blank: bool = False
    blank_marker: str | None = None
    stop_reason: str | None = None
    last_date: dt.date | None = None      # last resolved date, for year inference on the next page
    prev_page_items: tuple = ()
    pages_seen: set = field(default_factory=set)

    def row(self, st: "SiteState") -> dict:
        return {"_table": "gov_site__columns", "site_id": st.site_id, "column_url": self.url, "name": self.name,
                "kind": self.kind, "level": self.level, "parent_url": self.parent_url, "found_on": self.found_on,
                "column_type": self.column_type, "type_source": self.type_source,
                "meta_column_name": self.meta_column_name, "meta_column_type": self.meta_column_type,
                "list_status": self.list_status, "list_fetched_at": self.list_fetched_at,
                "fail_class": self.fail_class, "pages_crawled": self.pages_crawled,
                "items_seen": len(self.items_seen), "dated_items": self.dated_items,
                "list_latest_date": self.list_latest_date, "is_blank": self.is_blank,
                "blank_marker": self.blank_marker, "stop_reason": self.stop_reason or "error"}


class SiteState:
    """Everything the spider knows about one site during the crawl (small: sets of URLs)."""

    def __init__(self, site: CrawlSite, shard: int, settings, spider_name: str = "gov_site"):
        self.site = site
        self.spider_name = spider_name
        self.site_id = site.site_id
        self.shard = shard
        self.homepage_url = site.url
        self.started_at = now()
        self.ref = self.started_at.date()
        ov = site.overrides or {}
        self.page_budget = int(ov.get("page_budget") or settings.getint("GOVCRAWL_PAGE_BUDGET"))
        self.link_budget = int(ov.get("link_budget") or settings.getint("GOVCRAWL_LINK_BUDGET"))
        self.time_budget = float(ov.get("time_budget_seconds") or settings.getfloat("GOVCRAWL_SITE_TIME_BUDGET"))
        self.deadline: float | None = None   # the clock starts when the homepage answers
        obey = ov.get("obey_robots")
        self.obey_robots = settings.getbool("GOVCRAWL_OBEY_ROBOTS") if obey is None else bool(obey)
        self.snapshot_cap = settings.getint("GOVCRAWL_SNAPSHOTS_PER_SITE")
        self.hosts = {(urlsplit(site.url).hostname or "").lower()}
        # outcome
        self.outcome = "failed"
        self.fail_class: str | None = "other"
        self.fail_detail: str | None = "未开始"
        self.homepage_status: int | None = None
        self.final_url: str | None = None
        self.encoding = self.declared = None
        self.encoding_mismatch = None
        self.navigation_only = None
        self.homepage_items = self.homepage_dated = self.nav_links = 0
        self.letters_url: str | None = None
        self.letters_status = "not_found"
        self.robots = None
        self.robots_status: int | None = None
        self.robots_txt: str | None = None
        # bookkeeping
        self.columns: dict[str, ColumnState] = {}
        self.known_urls: set[str] = {canonical(site.url)}
        self.shapes = None
        self.pages_fetched = 0
        self.links_checked = 0
        self.faults = 0
        self.budget_hit: dict[str, int] = {}
        self.link_seen: set[str] = set()
        self.get_scheduled: set[str] = set()
        self.get_results: dict[str, tuple] = {}
        self.get_pending_links: dict[str, dict] = {}
        self.snapshot_urls: set[str] = set()
        self.recent: OrderedDict[str, tuple] = OrderedDict()
        self.articles_scheduled: set[str] = set()
        self.letters_seen: set = set()
        self.letter_details = 0

    @property
    def site_code(self) -> str:
        return self.site.site_code

    def is_own(self, url: str) -> bool:
        return (urlsplit(url).hostname or "").lower() in self.hosts

    def hit_budget(self, what: str) -> None:
        self.budget_hit[what] = self.budget_hit.get(what, 0) + 1

    def start_clock(self) -> None:
        if self.deadline is None:
            self.deadline = time.monotonic() + self.time_budget

    def time_left(self) -> bool:
        return self.deadline is None or time.monotonic() < self.deadline

    def final_row(self) -> dict:
        return {"_table": "gov_site__site_crawls", "site_id": self.site_id, "spider": self.spider_name,
                "shard": self.shard,
                "homepage_url": self.homepage_url, "final_url": self.final_url, "started_at": self.started_at,
                "finished_at": now(), "outcome": self.outcome, "fail_class": self.fail_class,
                "fail_detail": self.fail_detail, "homepage_status": self.homepage_status, "encoding": self.encoding,
                "declared_charset": self.declared, "encoding_mismatch": self.encoding_mismatch,
                "navigation_only": self.navigation_only, "homepage_items": self.homepage_items,
                "homepage_dated": self.homepage_dated, "nav_links": self.nav_links,
                "columns_found": sum(1 for c in self.columns.values() if c.kind == "column"),
                "letters_url": self.letters_url, "letters_status": self.letters_status,
                "robots_status": self.robots_status, "robots_txt": self.robots_txt,
                "pages_fetched": self.pages_fetched, "links_checked": self.links_checked,
                "faults": self.faults, "budget_hit": sorted(self.budget_hit)}


def load_sites_file(path: str) -> tuple[list[CrawlSite], dict]:
    data = json.loads(open(path, encoding="utf-8").read())
    sites = [CrawlSite(int(s["site_id"]), s["site_code"], s.get("name", ""), s["url"], s.get("organizer", ""),
                       s.get("overrides") or {}) for s in data["sites"]]
    return sites, data


class GovSpiderBase(scrapy.Spider):
    """Arguments (``-a``): ``sites_file`` (JSON written by govmon.crawl.runner) or ``site_codes``
    (comma-separated; default every inspected site, read from the registry), ``run_id`` (default: a
    new run), ``shard`` (default 0), ``window_days`` / ``letters_window_days`` (default from the
    profile)."""

    custom_settings: dict = {}

    def __init__(self, run_id=None, shard=0, sites_file=None, site_codes=None, window_days=None,
                 letters_window_days=None, profile=None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.run_id = int(run_id) if run_id not in (None, "") else None
        self.shard = int(shard or 0)
        self.sites_file = sites_file
        self.site_codes = [c.strip() for c in (site_codes or "").split(",") if c.strip()]
        self.window_days = int(window_days) if window_days else None
        self.letters_window_days = int(letters_window_days) if letters_window_days else None
        self.profile_name = profile
        self.sites: list[SiteState] = []
        self._by_id: dict[int, SiteState] = {}

    # ---- setup ------------------------------------------------------------------------------
    def setup_sites(self) -> None:
        if self.sites:
            return
        if self.sites_file:
            sites, data = load_sites_file(self.sites_file)
            self.window_days = self.window_days or data.get("window_days")
            self.letters_window_days = self.letters_window_days or data.get("letters_window_days")
            self.run_id = self.run_id or data.get("crawl_run_id")
        else:
            from govmon.crawl import runner

            sites = runner.sites_for_spider(self.site_codes)
        if self.window_days is None or self.letters_window_days is None:
            from govmon.crawl.runner import profile_windows

            w, lw = profile_windows(self.profile_name)
            self.window_days = self.window_days or w
            self.letters_window_days = self.letters_window_days or lw
        if self.run_id is None:
            from govmon.crawl import runner

            self.run_id = runner.start_run(trigger=f"scrapy:{self.name}", site_count=len(sites), shard_count=1,
                                           window_days=self.window_days)
        for s in sites:
            st = SiteState(s, self.shard, self.settings, self.name)
            self.sites.append(st)
            self._by_id[st.site_id] = st

    def download_allowed(self, request) -> bool:
        """False once the request's site has spent its time budget (robots.txt and homepage excepted)."""
        st = self._by_id.get(request.meta.get("site"))
        return st is None or request.meta.get("kind") in ("home", "robots") or st.time_left()

    def state(self, response_or_request) -> SiteState:
        return self._by_id[response_or_request.meta["site"]]

    def final_rows(self):
        """Rows written when the spider closes: budget faults, columns, the per-site crawl row."""
        for st in self.sites:
            for what, n in sorted(st.budget_hit.items()):
                yield "gov_site__faults", {"site_id": st.site_id, "url": st.homepage_url, "request_kind": what,
                                           "fault_class": "budget", "detail": f"{what}: {n} 个请求因预算未发出",
                                           "occurred_at": now()}
                st.faults += 1
            for col in st.columns.values():
                yield "gov_site__columns", {k: v for k, v in col.row(st).items() if k != "_table"}
            yield "gov_site__site_crawls", {k: v for k, v in st.final_row().items() if k != "_table"}

    # ---- requests ---------------------------------------------------------------------------
    def allowed_by_robots(self, st: SiteState, url: str) -> bool:
        if not st.obey_robots or st.robots is None or not st.is_own(url):
            return True
        try:
            return st.robots.can_fetch(url, self.settings.get("USER_AGENT"))
        except Exception:
            return True

    def get(self, st: SiteState, url: str, kind: str, callback, priority: int = 10, meta: dict | None = None,
            count: bool = True, parent: str | None = None):
        """Yield a GET for a page of the site, or a fault when robots.txt forbids it (a budget that is
        spent is counted and reported when the spider closes). ``url in st.get_scheduled`` tells
        whether it went out."""
        url = canonical(url)
        if count:
            if not st.time_left():
                st.hit_budget("time")
                return
            if st.pages_fetched >= st.page_budget:
                st.hit_budget("pages")
                return
        if not self.allowed_by_robots(st, url):
            yield self.fault(st, url, kind, "robots_disallowed", detail="robots.txt", parent=parent)
            yield from self.finish_get(st, url, None, "robots_disallowed", None, "robots.txt")
            return
        if count:
            st.pages_fetched += 1
        st.get_scheduled.add(url)
        m = {"site": st.site_id, "kind": kind, "handle_httpstatus_list": ERROR_STATUSES,
             "download_slot": f"site{st.site_id}", "parent": parent}
        m.update(meta or {})
        yield scrapy.Request(url, callback=callback, errback=self.on_error, meta=m, priority=priority,
                             dont_filter=True)

    # ---- responses --------------------------------------------------------------------------
    def decode(self, st: SiteState, response) -> tuple[Page, object]:
        ctype = response.headers.get("Content-Type", b"").decode("latin-1")
        decoded = decode_html(response.body, ctype)
        return Page(response.url, decoded.text), decoded

    def page_row(self, st: SiteState, response, kind: str, decoded=None, page: Page | None = None) -> dict:
        req_url = canonical(response.request.url) if response.request is not None else response.url
        first = response.meta.get("redirect_urls", [req_url])[0] if response.meta.get("redirect_urls") else req_url
        return {"_table": "gov_site__pages", "site_id": st.site_id, "url": canonical(first), "final_url": response.url,
                "kind": kind, "status": response.status,
                "content_type": response.headers.get("Content-Type", b"").decode("latin-1") or None,
                "encoding": getattr(decoded, "encoding", None), "declared_charset": getattr(decoded, "declared", None),
                "bytes": len(response.body), "fetched_at": now(),
                "elapsed_ms": int(1000 * (response.meta.get("download_latency") or 0)),
                "title": page.title[:300] if page is not None else None}

    def fault(self, st: SiteState, url: str, kind: str, cls: str, status: int | None = None, detail=None,
              parent: str | None = None) -> dict:
        st.faults += 1
        return {"_table": "gov_site__faults", "site_id": st.site_id, "url": url, "parent_url": parent,
                "request_kind": kind, "fault_class": cls, "http_status": status,
                "detail": (str(detail)[:500] if detail is not None else None), "occurred_at": now()}

    def page_faults(self, st: SiteState, response, kind: str, decoded, page: Page):
        if decoded is not None and decoded.lossy:
            yield self.fault(st, response.url, kind, "bad_encoding",
                             detail=f"无法按 {decoded.encoding} 完整解码（声明 {decoded.declared}）")
        if page is not None and page.parse_error:
            yield self.fault(st, response.url, kind, "parse_error", detail=page.parse_error)

    def snapshot(self, st: SiteState, url: str, body: bytes, status: int, ctype: str | None,
                 fetched_at: dt.datetime | None = None, compressed: bytes | None = None) -> dict | None:
        url = canonical(url)
        if url in st.snapshot_urls or len(st.snapshot_urls) >= st.snapshot_cap:
            return None
        st.snapshot_urls.add(url)
        data = compressed if compressed is not None else zlib.compress(body, 6)
        return {"_table": "gov_site__snapshots", "site_id": st.site_id, "url": url,
                "fetched_at": fetched_at or now(), "http_status": status, "content_type": ctype,
                "sha256": hashlib.sha256(body).hexdigest() if body else "", "raw_bytes": len(body or b""),
                "body_zlib": data}

    def remember(self, st: SiteState, url: str, body: bytes, status: int, ctype: str | None) -> None:
        """Keep a recent page (compressed) so it can be snapshotted if a link on it proves broken."""
        url = canonical(url)
        if url in st.snapshot_urls:
            return
        st.recent[url] = (zlib.compress(body, 6), hashlib.sha256(body).hexdigest(), len(body), status, ctype, now())
        st.recent.move_to_end(url)
        while len(st.recent) > RECENT_PAGES:
            st.recent.popitem(last=False)

    def parent_snapshot(self, st: SiteState, parent: str | None) -> dict | None:
        if not parent or parent in st.snapshot_urls or parent not in st.recent:
            return None
        comp, sha, n, status, ctype, at = st.recent[parent]
        if len(st.snapshot_urls) >= st.snapshot_cap:
            return None
        st.snapshot_urls.add(parent)
        return {"_table": "gov_site__snapshots", "site_id": st.site_id, "url": parent, "fetched_at": at,
                "http_status": status, "content_type": ctype, "sha256": sha, "raw_bytes": n, "body_zlib": comp}

    # ---- links ------------------------------------------------------------------------------
    def link_row(self, st: SiteState, url: str, rec: dict, status: int | None, error: str | None, final: str | None,
                 method: str | None, detail: str | None = None, elapsed: float | None = None) -> dict:
        return {"_table": "gov_site__links", "site_id": st.site_id, "url": url, "parent_url": rec.get("parent_url"),
                "on_homepage": rec.get("on_homepage", False), "tag": rec.get("tag"), "link_kind": rec.get("link_kind"),
                "is_outbound": rec.get("is_outbound", False), "method": method, "status": status,
                "final_url": final, "error_class": error, "error_detail": (detail or "")[:300] or None,
                "checked_at": now(), "elapsed_ms": int(1000 * elapsed) if elapsed is not None else None}

    def _finish_get(self, st: SiteState, url: str, status: int | None, error: str | None, final: str | None,
                    detail: str | None = None) -> None:
        st.get_results[url] = (status, error, final, detail)

    def finish_get(self, st: SiteState, url: str, status: int | None, error: str | None, final: str | None,
                   detail: str | None = None):
        """A GET finished: answer the link checks waiting for it."""
        url = canonical(url)
        self._finish_get(st, url, status, error, final, detail)
        rec = st.get_pending_links.pop(url, None)
        if rec is not None:
            yield self.link_row(st, url, rec, status, error, final, "GET", detail)
            if self.is_broken(status, error):
                snap = self.parent_snapshot(st, rec.get("parent_url"))
                if snap:
                    yield snap

    @staticmethod
    def is_broken(status, error) -> bool:
        from govmon.parsing.links import NOT_CHECKED

        if error:
            return error not in NOT_CHECKED
        return status is not None and status >= 400

    def check_links(self, st: SiteState, page: Page, parent_url: str, on_homepage: bool):
        """Every link on a crawled page gets a status, once per site: from a GET of it when the
        spider fetches it anyway, else a HEAD (a GET when HEAD fails; outbound links are checked, not
        crawled)."""
        parent_url = canonical(parent_url)
        for lk in page.links:
            url = canonical(lk.url)
            if url in st.link_seen or url == parent_url and lk.tag == "a":
                continue
            st.link_seen.add(url)
            rec = {"parent_url": parent_url, "on_homepage": on_homepage, "tag": lk.tag,
                   "link_kind": link_kind(url, lk.tag), "is_outbound": not st.is_own(url)}
            if url in st.get_results:
                status, error, final, detail = st.get_results[url]
                yield self.link_row(st, url, rec, status, error, final, "GET", detail)
                continue
            if url in st.get_scheduled:
                st.get_pending_links[url] = rec
                continue
            if not rec["is_outbound"] and not self.allowed_by_robots(st, url):
                yield self.link_row(st, url, rec, None, "robots_disallowed", None, None, "robots.txt")
                continue
            if not st.time_left():
                st.hit_budget("time")
                continue
            if st.links_checked >= st.link_budget:
                st.hit_budget("links")
                continue
            st.links_checked += 1
            meta = {"site": st.site_id, "kind": "link", "link": rec, "handle_httpstatus_list": ERROR_STATUSES,
                    "download_maxsize": self.settings.getint("DOWNLOAD_MAXSIZE")}
            if not rec["is_outbound"]:
                meta["download_slot"] = f"site{st.site_id}"
            yield scrapy.Request(url, method="HEAD", callback=self.on_link, errback=self.on_error, meta=meta,
                                 priority=5 if on_homepage else 0, dont_filter=True)

    def on_link(self, response):
        st = self.state(response)
        rec = response.meta["link"]
        url = canonical(response.meta.get("redirect_urls", [response.request.url])[0])
        method = response.request.method
        if response.status >= 400 and method == "HEAD":
            # HEAD is often refused or broken on government servers: confirm with GET before blaming the link
            meta = dict(response.meta)
            for k in ("redirect_urls", "redirect_times", "redirect_ttl", "retry_times", "download_latency",
                      "redirect_reasons", "depth"):
                meta.pop(k, None)
            yield scrapy.Request(url, method="GET", callback=self.on_link, errback=self.on_error, meta=meta,
                                 priority=0, dont_filter=True)
            return
        err = status_class(response.status)
        yield self.link_row(st, url, rec, response.status, err, response.url, method,
                            None, response.meta.get("download_latency"))
        if err:
            snap = self.parent_snapshot(st, rec.get("parent_url"))
            if snap:
                yield snap

    # ---- failures ---------------------------------------------------------------------------
    def classify(self, failure) -> tuple[str, str]:
        exc = failure.value
        return classify_failure(type(exc).__name__, str(exc)), f"{type(exc).__name__}: {exc}"[:300]

    def on_error(self, failure):
        request = failure.request
        st = self._by_id.get(request.meta.get("site"))
        if st is None:
            return
        cls, detail = self.classify(failure)
        kind = request.meta.get("kind")
        url = canonical(request.meta.get("redirect_urls", [request.url])[0])
        if cls == "budget":   # dropped before sending: counted, reported once per site at the end
            st.hit_budget("time")
            if kind == "column" and request.meta.get("page_no", 0) == 0 and request.meta.get("col") in st.columns:
                st.columns[request.meta["col"]].fail_class = "budget"
            if kind == "letters" and request.meta.get("page_no", 0) == 0:
                st.letters_status = "failed"
            return
        if kind == "link":
            rec = request.meta["link"]
            yield self.link_row(st, url, rec, None, cls, None, request.method, detail)
            if self.is_broken(None, cls):
                snap = self.parent_snapshot(st, rec.get("parent_url"))
                if snap:
                    yield snap
            return
        yield self.fault(st, url, kind, cls, detail=detail, parent=request.meta.get("parent"))
        yield from self.finish_get(st, url, None, cls, None, detail)
        handler = getattr(self, f"failed_{kind}", None)
        if handler is not None:
            result = handler(st, request, cls, detail)
            if result is not None:
                yield from result


def resolve_override_url(homepage: str, value: str) -> str:
    return canonical(urljoin(homepage, value))
