"""What the three template families share: the per-request view of a site, routing results and
the page parts every CMS prints (meta tags, footer, letters table, calendar, 404 page).

A template family subclasses :class:`SiteTemplate` and supplies its URL scheme and markup.
Rendering is on demand; nothing is cached per page.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from datetime import date, datetime

from govmon.sandbox import content, dates
from govmon.sandbox.content import Item, Letter
from govmon.sandbox.scenario import UNBOUND_PREFIX, ColumnSpec, SiteSpec

esc = html.escape

# names for the extra blank columns a `blank_columns: N` fault adds
BLANK_COLUMN_NAMES = ("专题专栏", "公众参与", "新闻发布会", "数据发布", "应急管理", "财政资金", "重大项目",
                      "公共资源配置", "社会公益事业", "政府采购", "审计公告", "统计数据", "价格收费", "环境保护",
                      "教育信息", "卫生健康", "食品药品", "安全生产信息", "扶贫救助", "征地拆迁")
TYPE_LABEL = {"dynamic_news": "动态要闻", "notice": "通知公告", "policy": "政策文件", "personnel": "人事信息",
              "plan": "规划计划", "other": "其他"}

# a 1x1 PNG and tiny but valid attachments
PNG_1X1 = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
PDF_MIN = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>"
           b"endobj\n3 0 obj<</Type/Page/MediaBox[0 0 200 200]/Parent 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
DOC_MIN = bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 504  # an OLE2 header: looks like a .doc
CONTENT_TYPES = {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif", "pdf": "application/pdf",
                 "doc": "application/msword", "xls": "application/vnd.ms-excel"}


@dataclass
class Route:
    kind: str  # home | column | article | letters | letter | robots | asset | calendar
    column: ColumnSpec | None = None
    page: int = 0
    index: int = 0
    asset: str = ""  # file extension for assets
    month: str = ""


@dataclass
class SiteView:
    """A site as one request sees it: the spec, the current faults, the anchor, the port."""

    spec: SiteSpec
    faults: dict
    anchor: datetime
    port: int
    columns: list[ColumnSpec] = field(default_factory=list)

    def __post_init__(self):
        cols = list(self.spec.columns)
        for i in range(int(self.faults.get("blank_columns", 0))):
            cols.append(ColumnSpec(key=f"zt{i + 1:02d}", name=BLANK_COLUMN_NAMES[i % len(BLANK_COLUMN_NAMES)]
                                   + ("" if i < len(BLANK_COLUMN_NAMES) else str(i)),
                                   type="other", blank=True, count=0, colno=50 + i))
        if self.faults.get("pagination_trap"):
            cols.append(ColumnSpec(key="wqhg", name="往期回顾", type="other", last_days_ago=3, interval_days=5,
                                   count=max(self.spec.page_size, 1), trap=True, colno=95))
        self.columns = cols
        self._by_key = {c.key: c for c in cols}
        self._by_no = {c.colno: c for c in cols}

    # --- identity ------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://{self.spec.address}:{self.port}"

    def identity(self) -> dict:
        """What the site's pages show: name, site code, organizer, ICP and police numbers."""
        s = self.spec
        out = {"name": s.name, "site_code": s.site_code, "organizer": s.organizer,
               "icp": s.footer["icp"], "police": s.footer["police"]}
        for k in ("name", "site_code", "organizer", "icp", "police"):
            if k in s.footer:
                out[k] = s.footer[k]
        mm = self.faults.get("identity_mismatch")
        if mm is True:
            code = out["site_code"]
            if code.startswith("bm"):
                out["site_code"] = code[:4] + f"{(int(code[4:]) + 500_000) % 1_000_000:06d}"
            else:
                out["site_code"] = code[:6] + f"{(int(code[6:]) + 5000) % 10000:04d}"
        elif isinstance(mm, dict):
            out.update(mm)
        return out

    # --- columns ---------------------------------------------------------------------------
    def column(self, key: str) -> ColumnSpec | None:
        return self._by_key.get(key)

    def column_by_no(self, colno: int) -> ColumnSpec | None:
        return self._by_no.get(colno)

    def page_count(self, col: ColumnSpec) -> int:
        if col.trap:
            return 10**9
        return max(1, math.ceil(col.item_count / self.spec.page_size))

    def page_items(self, col: ColumnSpec, page: int) -> list[Item]:
        ps = self.spec.page_size
        if col.trap:
            return content.column_items(self.spec, col, self.anchor, 0, ps)
        return content.column_items(self.spec, col, self.anchor, page * ps, (page + 1) * ps)

    def item(self, col: ColumnSpec, index: int) -> Item | None:
        if index < 0 or index >= col.item_count:
            return None
        return content.column_item(self.spec, col, index, self.anchor)

    def list_format(self, col: ColumnSpec) -> str:
        return col.date_format or self.spec.date_format

    def pubdate_meta(self, col: ColumnSpec) -> bool:
        return self.spec.pubdate_meta if col.pubdate_meta is None else col.pubdate_meta

    def homepage_columns(self) -> list[ColumnSpec]:
        return [c for c in self.columns if c.on_homepage]

    def nav_columns(self) -> list[ColumnSpec]:
        return [c for c in self.columns if c.level == 1]

    def children(self, col: ColumnSpec) -> list[ColumnSpec]:
        return [c for c in self.columns if c.parent == col.key]

    # --- letters ---------------------------------------------------------------------------
    def letters(self) -> list[Letter]:
        return content.site_letters(self.spec, self.anchor)

    # --- encoding ----------------------------------------------------------------------------
    def encode(self, text: str) -> bytes:
        return text.encode(self.spec.encoding, errors="xmlcharrefreplace")

    def content_type(self) -> str:
        cs = self.spec.header_charset
        return f"text/html; charset={cs}" if cs else "text/html"


def date_text(dt: datetime, style: str) -> str:
    return dates.fmt_list_date(dt, style)


def month_shift(month: str, delta: int) -> str:
    y, m = int(month[:4]), int(month[5:7])
    k = y * 12 + (m - 1) + delta
    return f"{k // 12:04d}-{k % 12 + 1:02d}"


def parse_month(s: str) -> str | None:
    if len(s) == 7 and s[4] == "-" and s[:4].isdigit() and s[5:].isdigit() and 1 <= int(s[5:]) <= 12:
        return s
    return None


class SiteTemplate:
    """A CMS family: its URL scheme and its markup."""

    name = "base"

    # ---- URL scheme (subclasses) --------------------------------------------------------------
    def home_paths(self, v: SiteView) -> tuple[str, ...]:
        return ("/", "/index.html")

    def column_url(self, v: SiteView, col: ColumnSpec, page: int = 0) -> str:
        raise NotImplementedError

    def article_url(self, v: SiteView, item: Item) -> str:
        raise NotImplementedError

    def letters_url(self, v: SiteView, page: int = 0) -> str:
        raise NotImplementedError

    def letter_url(self, v: SiteView, letter: Letter) -> str:
        raise NotImplementedError

    def calendar_url(self, v: SiteView, month: str) -> str:
        return f"/calendar/{month}.html"

    def image_url(self, v: SiteView, col: ColumnSpec, index: int) -> str:
        raise NotImplementedError

    def attachment_url(self, v: SiteView, col: ColumnSpec, index: int, ext: str) -> str:
        raise NotImplementedError

    def logo_url(self, v: SiteView) -> str:
        return "/images/logo.png"

    def broken_urls(self, v: SiteView) -> list[tuple[str, str]]:
        """(text, url) of the deliberately dead links a `broken_links`/`broken_outbound` fault adds."""
        out = []
        for i in range(int(v.faults.get("broken_links", 0))):
            out.append((f"{BLANK_COLUMN_NAMES[i % len(BLANK_COLUMN_NAMES)]}专题（{i + 1}）", self.dead_url(v, i)))
        for i in range(int(v.faults.get("broken_outbound", 0))):
            out.append((f"友情链接{i + 1}", f"http://{UNBOUND_PREFIX}{i + 1}:{v.port}/"))
        loop = v.faults.get("redirect_loop")
        if isinstance(loop, str):
            out.append(("网上展厅", loop))
        return out

    def dead_url(self, v: SiteView, i: int) -> str:
        raise NotImplementedError

    def broken_image_url(self, v: SiteView) -> str:
        return "/images/banner_missing_2019.jpg"

    def route(self, v: SiteView, path: str, query) -> Route | None:
        """Map a request to a page, or None (404). Common routes first, then the family's own."""
        if path in self.home_paths(v):
            return Route("home")
        if path == "/robots.txt":
            return Route("robots")
        if path == self.logo_url(v):
            return Route("asset", asset="png")
        if (v.faults.get("calendar_trap") and path.startswith("/calendar/") and path.endswith(".html")
                and self.calendar_url(v, "2000-01").startswith("/calendar/")):
            month = parse_month(path[len("/calendar/"):-len(".html")])
            if month:
                return Route("calendar", month=month)
        return self.route_own(v, path, query)

    def route_own(self, v: SiteView, path: str, query) -> Route | None:
        raise NotImplementedError

    # ---- helpers for subclasses ---------------------------------------------------------------
    def check_item(self, v: SiteView, col: ColumnSpec | None, index: int, day: date | None) -> Item | None:
        if col is None:
            return None
        if col.trap:
            index_ok = 0 <= index < col.count
            it = content.column_item(v.spec, col, index, v.anchor) if index_ok else None
        else:
            it = v.item(col, index)
        if it is None:
            return None
        if day is not None and it.dt.date() != day:
            return None
        return it

    def check_letter(self, v: SiteView, index: int) -> Letter | None:
        letters = v.letters()
        return letters[index] if 0 <= index < len(letters) else None

    # ---- pages ------------------------------------------------------------------------------
    def render(self, v: SiteView, r: Route) -> tuple[int, str, bytes]:
        """(status, content type, body)."""
        if r.kind == "robots":
            body = ("User-agent: *\nDisallow: /admin/\nDisallow: /module/search/\n"
                    "Crawl-delay: 0\n")
            return 200, "text/plain", body.encode()
        if r.kind == "asset":
            body = PNG_1X1 if r.asset in ("png", "jpg", "gif") else PDF_MIN if r.asset == "pdf" else DOC_MIN
            return 200, CONTENT_TYPES.get(r.asset, "application/octet-stream"), body
        page = {
            "home": lambda: self.render_home(v),
            "column": lambda: self.render_column(v, r.column, r.page),
            "article": lambda: self.render_article(v, r.column, r.index),
            "letters": lambda: self.render_letters(v, r.page),
            "letter": lambda: self.render_letter(v, r.index),
            "calendar": lambda: self.render_calendar(v, r.month),
        }[r.kind]()
        if page is None:
            return self.not_found(v)
        return 200, v.content_type(), v.encode(page)

    def not_found(self, v: SiteView) -> tuple[int, str, bytes]:
        body = (f"<!DOCTYPE html><html><head>{self.charset_tag(v)}<title>404 页面不存在</title></head>"
                "<body><div class=\"error\"><h1>404</h1><p>抱歉，您访问的页面不存在或已被删除！</p>"
                "<p><a href=\"/\">返回首页</a></p></div></body></html>")
        return 404, v.content_type(), v.encode(body)

    # ---- shared markup --------------------------------------------------------------------------
    def charset_tag(self, v: SiteView) -> str:
        cs = v.spec.declared
        if cs is None:
            return ""
        return f'<meta http-equiv="Content-Type" content="text/html; charset={cs}">'

    def site_metas(self, v: SiteView) -> str:
        ident = v.identity()
        return (f'<meta name="SiteName" content="{esc(ident["name"])}">\n'
                f'<meta name="SiteDomain" content="{esc(v.spec.domain)}">\n'
                f'<meta name="SiteIDCode" content="{esc(ident["site_code"])}">\n')

    def column_metas(self, v: SiteView, col: ColumnSpec) -> str:
        return (f'<meta name="ColumnName" content="{esc(col.name)}">\n'
                f'<meta name="ColumnDescription" content="{esc(col.name)}">\n'
                f'<meta name="ColumnKeywords" content="{esc(col.name)}">\n'
                f'<meta name="ColumnType" content="{esc(TYPE_LABEL[col.type])}">\n')

    def article_metas(self, v: SiteView, it: Item, pubdate_fmt: str = "%Y-%m-%d %H:%M") -> str:
        out = f'<meta name="ArticleTitle" content="{esc(it.title)}">\n'
        if v.pubdate_meta(it.column):
            out += f'<meta name="PubDate" content="{it.dt.strftime(pubdate_fmt)}">\n'
        out += f'<meta name="ContentSource" content="{esc(v.spec.organizer)}">\n'
        return out

    def footer_lines(self, v: SiteView) -> list[str]:
        ident = v.identity()
        return [
            f"主办单位：{esc(ident['organizer'])}　承办：{esc(ident['organizer'])}信息中心",
            f"{esc(ident['icp'])}　政府网站标识码：{esc(ident['site_code'])}　{esc(ident['police'])}",
            f"版权所有：{esc(ident['name'])}　技术支持：{esc(ident['organizer'])}信息中心",
        ]

    def body_html(self, v: SiteView, it: Item) -> str:
        paras = content.item_paragraphs(v.spec, it.column, it.index)
        parts = [f"<p>　　{esc(p)}</p>" for p in paras]
        if it.index % 3 == 0:
            parts.insert(1, f'<p style="text-align:center"><img src="{self.image_url(v, it.column, it.index)}" '
                            f'alt="{esc(it.title)}"></p>')
        if it.index % 4 == 1:
            ext = "pdf" if it.index % 8 == 1 else "doc"
            parts.append(f'<p>附件：<a href="{self.attachment_url(v, it.column, it.index, ext)}">'
                         f'{esc(it.title)}.{ext}</a></p>')
        broken = self.broken_urls(v)
        if broken and it.column.colno == v.columns[0].colno and it.index % 10 == 0:
            text, url = broken[0]
            parts.append(f'<p>相关链接：<a href="{esc(url)}">{esc(text)}</a></p>')
        return "\n".join(parts)

    def letters_table(self, v: SiteView, letters: list[Letter]) -> str:
        rows = []
        for lt in letters:
            reply = lt.replied.strftime("%Y-%m-%d") if lt.replied else ""
            rows.append(f'<tr><td class="title"><a href="{self.letter_url(v, lt)}" target="_blank">'
                        f'{esc(lt.title)}</a></td><td class="ask-time">{lt.asked:%Y-%m-%d}</td>'
                        f'<td class="reply-time">{reply}</td><td class="status">{lt.status}</td></tr>')
        if not rows:
            rows.append('<tr><td colspan="4">暂无信息</td></tr>')
        return ('<table class="letter-list" width="100%" border="0" cellspacing="0" cellpadding="0">\n'
                '<thead><tr><th>标题</th><th>留言时间</th><th>回复时间</th><th>状态</th></tr></thead>\n'
                "<tbody>\n" + "\n".join(rows) + "\n</tbody></table>")

    def letter_detail(self, v: SiteView, lt: Letter) -> str:
        reply = (f'<tr><th>答复单位</th><td>{esc(v.spec.organizer)}</td></tr>'
                 f'<tr><th>回复时间</th><td class="reply-time">{lt.replied:%Y-%m-%d %H:%M}</td></tr>'
                 f'<tr><th>答复内容</th><td>您好！您反映的问题已收悉，我单位高度重视，已安排专人核实处理。感谢您的监督与支持！</td></tr>'
                 if lt.replied else
                 '<tr><th>回复时间</th><td class="reply-time"></td></tr><tr><th>答复内容</th><td>正在办理中</td></tr>')
        return (f'<table class="letter-detail"><tr><th>信件标题</th><td>{esc(lt.title)}</td></tr>'
                f'<tr><th>来信人</th><td>{esc(lt.asker)}</td></tr>'
                f'<tr><th>留言时间</th><td class="ask-time">{lt.asked:%Y-%m-%d %H:%M}</td></tr>'
                f'<tr><th>办理状态</th><td class="status">{lt.status}</td></tr>'
                f'<tr><th>来信内容</th><td>您好，{esc(lt.title)}，希望有关部门尽快协调解决，谢谢！</td></tr>'
                f'{reply}</table>')

    def calendar_body(self, v: SiteView, month: str) -> str:
        prev_m, next_m = month_shift(month, -1), month_shift(month, 1)
        y, m = int(month[:4]), int(month[5:])
        first = date(y, m, 1)
        days = (date(*map(int, next_m.split("-")), 1) - first).days
        cells = "".join(f"<td>{d}</td>" + ("</tr><tr>" if (first.weekday() + d) % 7 == 0 else "")
                        for d in range(1, days + 1))
        return (f'<div class="calendar"><div class="cal-head">'
                f'<a class="prev" href="{self.calendar_url(v, prev_m)}">上一月</a>'
                f'<span class="cur">{y}年{m}月 活动日历</span>'
                f'<a class="next" href="{self.calendar_url(v, next_m)}">下一月</a></div>'
                f'<table><tr><th>一</th><th>二</th><th>三</th><th>四</th><th>五</th><th>六</th><th>日</th></tr>'
                f'<tr>{"<td></td>" * first.weekday()}{cells}</tr></table><p>本月暂无活动安排</p></div>')

    def subcolumns(self, v: SiteView, col: ColumnSpec) -> str:
        """The left menu of a column page: its parent and its sub-columns (二级栏目)."""
        links = []
        if col.parent and v.column(col.parent):
            p = v.column(col.parent)
            links.append(f'<li class="parent"><a href="{self.column_url(v, p)}">{esc(p.name)}</a></li>')
        for c in v.children(col):
            links.append(f'<li><a href="{self.column_url(v, c)}">{esc(c.name)}</a></li>')
        return f'<div class="sub-columns"><ul>{"".join(links)}</ul></div>\n' if links else ""

    def nav_links(self, v: SiteView) -> list[tuple[str, str]]:
        out = [("首页", "/")]
        for c in v.nav_columns():
            out.append((c.name, self.column_url(v, c, 0)))
        if v.spec.letters.enabled:
            out.append((v.spec.letters.name, self.letters_url(v, 0)))
        if v.faults.get("calendar_trap"):
            out.append(("活动日历", self.calendar_url(v, f"{v.anchor:%Y-%m}")))
        return out

    # ---- pages, supplied by the family ----------------------------------------------------------
    def render_home(self, v: SiteView) -> str:
        raise NotImplementedError

    def render_column(self, v: SiteView, col: ColumnSpec, page: int) -> str | None:
        raise NotImplementedError

    def render_article(self, v: SiteView, col: ColumnSpec, index: int) -> str | None:
        raise NotImplementedError

    def render_letters(self, v: SiteView, page: int) -> str | None:
        raise NotImplementedError

    def render_letter(self, v: SiteView, index: int) -> str | None:
        raise NotImplementedError

    def render_calendar(self, v: SiteView, month: str) -> str:
        raise NotImplementedError

    # shared paging arithmetic for letters
    def letters_page(self, v: SiteView, page: int) -> tuple[list[Letter], int] | None:
        letters = v.letters()
        ps = v.spec.letters.page_size
        pages = max(1, math.ceil(len(letters) / ps))
        if page < 0 or page >= pages:
            return None
        return letters[page * ps:(page + 1) * ps], pages
