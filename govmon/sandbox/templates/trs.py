"""TRS WCM family (拓尔思): ``/col/<col>/index.html``, ``index_1.html`` … paged by a
``createPageHTML(countPage, currentPage, "index", "html")`` call plus plain links; articles at
``/col/<col>/202402/t20240219_1000123.html``; relative links as TRS publishes them."""

from __future__ import annotations

import re
from datetime import date

from govmon.sandbox.content import Item, Letter
from govmon.sandbox.scenario import ColumnSpec
from govmon.sandbox.templates.base import Route, SiteTemplate, SiteView, date_text, esc

_COL = re.compile(r"^/col/([a-z][a-z0-9_]*)/index(?:_(\d+))?\.html$")
_ART = re.compile(r"^/col/([a-z][a-z0-9_]*)/(\d{6})/t(\d{8})_(\d+)\.html$")
_ASSET = re.compile(r"^/col/([a-z][a-z0-9_]*)/(?:images|files)/[WP]0(\d+)\.(jpg|pdf|doc)$")
_LET = re.compile(r"^/hdjl/ldxx/index(?:_(\d+))?\.html$")
_LET_ART = re.compile(r"^/hdjl/ldxx/(\d{6})/t(\d{8})_(\d+)\.html$")

ART_BASE = 1_000_000
LETTER_BASE = 2_000_000


def _day(s: str) -> date | None:
    try:
        return date(int(s[:4]), int(s[4:6]), int(s[6:8]))
    except ValueError:
        return None


class TrsTemplate(SiteTemplate):
    name = "trs"

    # ---- URLs ---------------------------------------------------------------------------------
    def column_url(self, v, col, page=0):
        return f"/col/{col.key}/index.html" if page == 0 else f"/col/{col.key}/index_{page}.html"

    def article_id(self, col: ColumnSpec, index: int) -> int:
        return ART_BASE + col.colno * 10_000 + index

    def article_url(self, v, item: Item):
        return (f"/col/{item.column.key}/{item.dt:%Y%m}/t{item.dt:%Y%m%d}_"
                f"{self.article_id(item.column, item.index)}.html")

    def letters_url(self, v, page=0):
        return "/hdjl/ldxx/index.html" if page == 0 else f"/hdjl/ldxx/index_{page}.html"

    def letter_url(self, v, lt: Letter):
        return f"/hdjl/ldxx/{lt.asked:%Y%m}/t{lt.asked:%Y%m%d}_{LETTER_BASE + lt.index}.html"

    def image_url(self, v, col, index):
        return f"/col/{col.key}/images/W0{self.article_id(col, index)}.jpg"

    def attachment_url(self, v, col, index, ext):
        return f"/col/{col.key}/files/P0{self.article_id(col, index)}.{ext}"

    def dead_url(self, v, i):
        return f"/col/ztzl_old{i + 1:02d}/index.html"

    # ---- routing --------------------------------------------------------------------------------
    def route_own(self, v, path, query):
        m = _COL.match(path)
        if m:
            col = v.column(m.group(1))
            page = int(m.group(2) or 0)
            if col is None or (m.group(2) is not None and page == 0) or page >= v.page_count(col):
                return None
            return Route("column", column=col, page=page)
        m = _ART.match(path)
        if m:
            col = v.column(m.group(1))
            n = int(m.group(4)) - ART_BASE
            if col is None or n // 10_000 != col.colno:
                return None
            it = self.check_item(v, col, n % 10_000, _day(m.group(3)))
            if it is None or m.group(2) != f"{it.dt:%Y%m}":
                return None
            return Route("article", column=col, index=it.index)
        m = _ASSET.match(path)
        if m:
            col = v.column(m.group(1))
            n = int(m.group(2)) - ART_BASE
            if col is None or n // 10_000 != col.colno or v.item(col, n % 10_000) is None:
                return None
            return Route("asset", asset=m.group(3))
        if v.spec.letters.enabled:
            m = _LET.match(path)
            if m:
                page = int(m.group(1) or 0)
                if m.group(1) is not None and page == 0:
                    return None
                return Route("letters", page=page)
            m = _LET_ART.match(path)
            if m:
                lt = self.check_letter(v, int(m.group(3)) - LETTER_BASE)
                if lt is None or f"{lt.asked:%Y%m%d}" != m.group(2):
                    return None
                return Route("letter", index=lt.index)
        return None

    # ---- markup ---------------------------------------------------------------------------------
    def page(self, v: SiteView, title: str, metas: str, body: str) -> str:
        ident = v.identity()
        nav = "".join(f'<li><a href="{esc(u)}">{esc(t)}</a></li>' for t, u in self.nav_links(v))
        footer = "<br>\n".join(self.footer_lines(v))
        return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
{self.charset_tag(v)}
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<title>{esc(title)}</title>
{self.site_metas(v)}{metas}<style type="text/css">body{{margin:0;font:14px/1.8 "微软雅黑"}}.nav li{{display:inline;margin:0 10px}}.list li span{{float:right}}</style>
</head>
<body>
<div class="header"><div class="logo"><a href="/"><img src="{self.logo_url(v)}" alt="{esc(ident['name'])}" /></a></div>
<div class="nav"><ul>{nav}</ul></div></div>
<div class="main">
{body}
</div>
<div class="footer" id="footer"><p>{footer}</p></div>
</body>
</html>
"""

    def li(self, v: SiteView, it: Item, fmt: str, rel_from_column: bool) -> str:
        url = self.article_url(v, it)
        if rel_from_column:
            url = "./" + url.split("/", 3)[3]
        else:
            url = "." + url
        span = "" if it.column.undated else f'<span>{date_text(it.dt, fmt)}</span>'
        return f'<li><a href="{url}" target="_blank" title="{esc(it.title)}">{esc(it.title)}</a>{span}</li>'

    def render_home(self, v):
        hp = v.spec.homepage
        blocks = []
        if not hp.navigation_only:
            from govmon.sandbox import content

            for col in v.homepage_columns():
                items = content.homepage_items(v.spec, col, v.anchor, hp.items_per_block)
                lis = "\n".join(self.li(v, it, hp.date_format, False) for it in items) or "<li>暂无信息</li>"
                blocks.append(f'<div class="column-block"><div class="block-title"><h3>'
                              f'<a href=".{self.column_url(v, col)}">{esc(col.name)}</a></h3>'
                              f'<a class="more" href=".{self.column_url(v, col)}">更多&gt;&gt;</a></div>'
                              f'<ul class="list">\n{lis}\n</ul></div>')
        links = self.broken_urls(v)
        if links:
            blocks.append('<div class="zt-links"><h3>专题专栏</h3><ul>' + "".join(
                f'<li><a href="{esc(u)}" target="_blank">{esc(t)}</a></li>' for t, u in links) + "</ul></div>")
        if v.faults.get("broken_image"):
            blocks.append(f'<div class="banner"><img src="{self.broken_image_url(v)}" alt="专题图片" /></div>')
        return self.page(v, v.identity()["name"], "", "\n".join(blocks))

    def pager(self, v, page: int, count: int, prefix_path: str) -> str:
        countpage = page + 2 if count >= 10**9 else count
        links = []
        if page > 0:
            links.append('<a href="index.html">首页</a>')
            links.append(f'<a href="{"index.html" if page == 1 else f"index_{page - 1}.html"}">上一页</a>')
        if page + 1 < countpage:
            links.append(f'<a href="index_{page + 1}.html">下一页</a>')
            links.append(f'<a href="index_{countpage - 1}.html">尾页</a>')
        return f"""<div class="page">
<script type="text/javascript">
var currentPage = {page};//所在页从0开始
var prePage = currentPage-1;//上一页
var nextPage = currentPage+1;//下一页
var countPage = {countpage};//共多少页
createPageHTML({countpage}, {page}, "index", "html");
</script>
<span class="page-links">共{countpage}页 当前第{page + 1}页 {' '.join(links)}</span>
</div>"""

    def render_column(self, v, col, page):
        items = v.page_items(col, page)
        fmt = v.list_format(col)
        lis = "\n".join(self.li(v, it, fmt, True) for it in items) or '<li class="empty">暂无信息</li>'
        body = (f'<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="./index.html">{esc(col.name)}</a></div>'
                f'{self.subcolumns(v, col)}<div class="list-title"><h2>{esc(col.name)}</h2></div>\n<ul class="list">\n{lis}\n</ul>\n'
                + self.pager(v, page, v.page_count(col), ""))
        return self.page(v, f"{col.name}_{v.identity()['name']}", self.column_metas(v, col), body)

    def render_article(self, v, col, index):
        it = v.item(col, index)
        if it is None:
            return None
        body = (f'<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="../index.html">{esc(col.name)}</a></div>'
                f'<div class="article"><h1 class="title">{esc(it.title)}</h1>'
                f'<div class="info"><span>发布时间：{it.dt:%Y-%m-%d %H:%M}</span> <span>来源：{esc(v.spec.organizer)}</span></div>'
                f'<div class="TRS_Editor">\n{self.body_html(v, it)}\n</div></div>')
        return self.page(v, f"{it.title}_{v.identity()['name']}",
                         self.column_metas(v, col) + self.article_metas(v, it), body)

    def render_letters(self, v, page):
        got = self.letters_page(v, page)
        if got is None:
            return None
        letters, pages = got
        body = (f'<div class="position">当前位置：<a href="/">首页</a> &gt; 互动交流 &gt; {esc(v.spec.letters.name)}</div>'
                f'<div class="list-title"><h2>{esc(v.spec.letters.name)}</h2></div>\n'
                + self.letters_table(v, letters) + self.pager(v, page, pages, ""))
        return self.page(v, f"{v.spec.letters.name}_{v.identity()['name']}", "", body)

    def render_letter(self, v, index):
        lt = self.check_letter(v, index)
        if lt is None:
            return None
        body = (f'<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="../index.html">{esc(v.spec.letters.name)}</a></div>'
                + self.letter_detail(v, lt))
        return self.page(v, f"{lt.title}_{v.identity()['name']}", "", body)

    def render_calendar(self, v, month):
        return self.page(v, f"活动日历_{v.identity()['name']}", "", self.calendar_body(v, month))
