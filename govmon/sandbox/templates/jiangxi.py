"""Jiangxi provincial 集约化 platform family (like www.yichun.gov.cn): ``/<sitepath>/<col>/list.shtml``,
``list_2.shtml``; articles ``/<sitepath>/<col>/202310/<32 hex>.shtml``; dates in
``<span class="time">10-11</span>``; the full meta set on article pages."""

from __future__ import annotations

import functools
import re

from govmon.sandbox.content import Item, Letter, hexid
from govmon.sandbox.templates.base import Route, SiteTemplate, SiteView, date_text, esc, parse_month


@functools.lru_cache(maxsize=4096)
def _patterns(sitepath: str) -> dict:
    sp = re.escape(sitepath)
    return {
        "col": re.compile(rf"^/{sp}/([a-z][a-z0-9_]*)/list(?:_(\d+))?\.shtml$"),
        "art": re.compile(rf"^/{sp}/([a-z][a-z0-9_]*)/(\d{{6}})/([0-9a-f]{{32}})\.shtml$"),
        "asset": re.compile(rf"^/{sp}/uploadfiles/([a-z][a-z0-9_]*)/([0-9a-f]{{32}})\.(jpg|pdf|doc)$"),
    }


class JiangxiTemplate(SiteTemplate):
    name = "jiangxi"

    def _rx(self, v):
        return _patterns(v.spec.sitepath)

    def hex32(self, v, colkey: str, index: int) -> str:
        mask = int(hexid("jiangxi-mask", v.spec.key, colkey, n=8), 16)
        return hexid("jiangxi", v.spec.key, colkey, index, n=24) + f"{index ^ mask:08x}"

    def split_hex(self, v, colkey: str, hx: str) -> int | None:
        index = int(hx[24:], 16) ^ int(hexid("jiangxi-mask", v.spec.key, colkey, n=8), 16)
        return index if self.hex32(v, colkey, index) == hx else None

    # ---- URLs ---------------------------------------------------------------------------------
    def home_paths(self, v):
        return ("/", f"/{v.spec.sitepath}/index.shtml")

    def column_url(self, v, col, page=0):
        sp = v.spec.sitepath
        return f"/{sp}/{col.key}/list.shtml" if page == 0 else f"/{sp}/{col.key}/list_{page + 1}.shtml"

    def article_url(self, v, item: Item):
        return f"/{v.spec.sitepath}/{item.column.key}/{item.dt:%Y%m}/{self.hex32(v, item.column.key, item.index)}.shtml"

    def letters_url(self, v, page=0):
        sp = v.spec.sitepath
        return f"/{sp}/ldxx/list.shtml" if page == 0 else f"/{sp}/ldxx/list_{page + 1}.shtml"

    def letter_url(self, v, lt: Letter):
        return f"/{v.spec.sitepath}/ldxx/{lt.asked:%Y%m}/{self.hex32(v, 'ldxx', lt.index)}.shtml"

    def calendar_url(self, v, month):
        return f"/{v.spec.sitepath}/hdrl/{month}.shtml"

    def image_url(self, v, col, index):
        return f"/{v.spec.sitepath}/uploadfiles/{col.key}/{self.hex32(v, col.key, index)}.jpg"

    def attachment_url(self, v, col, index, ext):
        return f"/{v.spec.sitepath}/uploadfiles/{col.key}/{self.hex32(v, col.key, index)}.{ext}"

    def logo_url(self, v):
        return f"/{v.spec.sitepath}/xhtml/images/home_logo.png"

    def broken_image_url(self, v):
        return f"/{v.spec.sitepath}/xhtml/images/banner_2019.jpg"

    def dead_url(self, v, i):
        return f"/{v.spec.sitepath}/ztzl_old{i + 1:02d}/list.shtml"

    # ---- routing --------------------------------------------------------------------------------
    def route_own(self, v, path, query):
        sp = v.spec.sitepath
        if v.faults.get("calendar_trap") and path.startswith(f"/{sp}/hdrl/") and path.endswith(".shtml"):
            month = parse_month(path[len(f"/{sp}/hdrl/"):-len(".shtml")])
            return Route("calendar", month=month) if month else None
        rx = self._rx(v)
        m = rx["col"].match(path)
        if m:
            key, raw = m.group(1), m.group(2)
            page = int(raw) - 1 if raw is not None else 0
            if raw is not None and page < 1:
                return None
            if key == "ldxx" and v.spec.letters.enabled:
                return Route("letters", page=page)
            col = v.column(key)
            if col is None or page >= v.page_count(col):
                return None
            return Route("column", column=col, page=page)
        m = rx["art"].match(path)
        if m:
            key, ym, hx = m.groups()
            index = self.split_hex(v, key, hx)
            if index is None:
                return None
            if key == "ldxx" and v.spec.letters.enabled:
                lt = self.check_letter(v, index)
                if lt is None or f"{lt.asked:%Y%m}" != ym:
                    return None
                return Route("letter", index=lt.index)
            it = self.check_item(v, v.column(key), index, None)
            if it is None or f"{it.dt:%Y%m}" != ym:
                return None
            return Route("article", column=it.column, index=it.index)
        m = rx["asset"].match(path)
        if m:
            col = v.column(m.group(1))
            index = self.split_hex(v, m.group(1), m.group(2)) if col else None
            if index is None or v.item(col, index) is None:
                return None
            return Route("asset", asset=m.group(3))
        return None

    # ---- markup ---------------------------------------------------------------------------------
    def charset_tag(self, v):
        cs = v.spec.declared
        return f'<meta charset="{cs}">' if cs else ""

    def page(self, v: SiteView, title: str, metas: str, body: str, category: str) -> str:
        ident = v.identity()
        nav = "\n".join(f'  <li><a linkType="Column" href="{esc(u)}"><span>{esc(t)}</span></a></li>'
                        for t, u in self.nav_links(v))
        ident_line = (f'主办：{esc(ident["organizer"])}　承办：{esc(ident["organizer"])}办公室 '
                      f'技术支持：{esc(ident["organizer"])}信息中心　版权所有：{esc(ident["name"])}<br>\n'
                      f'{esc(ident["icp"])}　政府网站标识码：{esc(ident["site_code"])}　'
                      f'<a class="beian">{esc(ident["police"])}</a>')
        return f"""<!doctype html>
<html>

<head>
  <meta name="PageCategory" content="{category}">
  {self.charset_tag(v)}
  <meta http-equiv="X-UA-Compatible" content="IE=edge,chrome=1">
  <meta name="viewport" content="width=device-width, initial-scale=1.0, maximum-scale=1.0, user-scalable=no">
{self.site_metas(v)}{metas}<meta name="others" content="页面生成时间 {v.anchor:%Y-%m-%d %H:%M:%S}" />
<title>
    {esc(title)}
  </title>
  <script>
    var websiteId = "{hexid('wid', v.spec.key, n=32)}",
      websiteCode = "{v.spec.sitepath}";
  </script>
</head>

<body>
  <div class="home-header">
    <div class="home-logo"><a href="/{v.spec.sitepath}/index.shtml"><img src="{self.logo_url(v)}" alt=""></a></div>
    <div class="home-mainNav"><div class="container">
<ul class="clearfix">
{nav}
</ul>
    </div></div>
  </div>
  <div class="container">
{body}
  </div>
  <div class="footer">
    <div class="container">
{ident_line}
    </div>
  </div>
</body>

</html>
"""

    def li(self, v, it: Item, fmt: str) -> str:
        span = "" if it.column.undated else f'\n                <span class="time">\n                  {date_text(it.dt, fmt)}\n                </span>'
        return (f'            <li>\n              <h4>\n                <a href="{self.article_url(v, it)}" target="_blank" '
                f"title='{esc(it.title)}'  >{esc(it.title)}</a>{span}\n              </h4>\n            </li>")

    def render_home(self, v):
        hp = v.spec.homepage
        blocks = []
        if not hp.navigation_only:
            from govmon.sandbox import content

            for col in v.homepage_columns():
                items = content.homepage_items(v.spec, col, v.anchor, hp.items_per_block)
                lis = "\n".join(self.li(v, it, hp.date_format) for it in items) or "<li>暂无信息</li>"
                blocks.append(f"""      <div class="tab-brief js-tab">
        <div class="hd clearfix"><ul><li><a href="{self.column_url(v, col)}" target="_self">{esc(col.name)}</a></li></ul>
          <span class="more common-more"><a href="{self.column_url(v, col)}">更多</a></span></div>
        <div class="bd"><div class="item">
          <ul class="newsList MM-dd res">
{lis}
          </ul>
        </div></div>
      </div>""")
        links = self.broken_urls(v)
        if links:
            blocks.append('<div class="home-ztzl"><ul>' + "".join(
                f'<li><a href="{esc(u)}" target="_blank">{esc(t)}</a></li>' for t, u in links) + "</ul></div>")
        if v.faults.get("broken_image"):
            blocks.append(f'<div class="banner"><img src="{self.broken_image_url(v)}" alt=""></div>')
        return self.page(v, v.identity()["name"], "", "\n".join(blocks), "index")

    def pager(self, v, page: int, count: int, url_of) -> str:
        countpage = page + 2 if count >= 10**9 else count
        links = [f'<a href="{url_of(0)}">首页</a>']
        if page > 0:
            links.append(f'<a href="{url_of(page - 1)}">上一页</a>')
        if page + 1 < countpage:
            links.append(f'<a href="{url_of(page + 1)}">下一页</a>')
        links.append(f'<a href="{url_of(countpage - 1)}">尾页</a>')
        return (f'<div class="pagination" data-count="{countpage}" data-current="{page + 1}">'
                f'{" ".join(links)} <span>共{countpage}页</span></div>')

    def render_column(self, v, col, page):
        items = v.page_items(col, page)
        fmt = v.list_format(col)
        lis = "\n".join(self.li(v, it, fmt) for it in items) or '<li class="no-data">暂无信息</li>'
        body = (f'<div class="crumbs"><a href="/">首页</a> &gt; <a href="{self.column_url(v, col)}">{esc(col.name)}</a></div>'
                f'{self.subcolumns(v, col)}<div class="list-tit"><h2>{esc(col.name)}</h2></div>\n<ul class="common_newslist">\n{lis}\n</ul>\n'
                + self.pager(v, page, v.page_count(col), lambda p: self.column_url(v, col, p)))
        return self.page(v, f"{col.name} | {v.identity()['name']}", self.column_metas(v, col), body, "list")

    def render_article(self, v, col, index):
        it = v.item(col, index)
        if it is None:
            return None
        body = (f'<div class="crumbs"><a href="/">首页</a> &gt; <a href="{self.column_url(v, col)}">{esc(col.name)}</a></div>'
                f'<div class="xxgk-detail"><h1 class="article-title"><ucaptitle>{esc(it.title)}</ucaptitle></h1>'
                f'<div class="article-attr clearfix"><span class="time">发布时间：{it.dt:%Y-%m-%d %H:%M:%S}</span> '
                f'<span class="source">信息来源：{esc(v.spec.organizer)}</span></div>'
                f'<div class="article-content" id="zoomcon"><ucapcontent>\n{self.body_html(v, it)}\n</ucapcontent></div></div>')
        metas = self.column_metas(v, col) + self.article_metas(v, it, "%Y-%m-%d %H:%M:%S")
        return self.page(v, f"{it.title} | {v.identity()['name']}", metas, body, "content")

    def render_letters(self, v, page):
        got = self.letters_page(v, page)
        if got is None:
            return None
        letters, pages = got
        body = (f'<div class="crumbs"><a href="/">首页</a> &gt; 互动交流 &gt; {esc(v.spec.letters.name)}</div>'
                f'<div class="list-tit"><h2>{esc(v.spec.letters.name)}</h2></div>\n' + self.letters_table(v, letters)
                + self.pager(v, page, pages, lambda p: self.letters_url(v, p)))
        return self.page(v, f"{v.spec.letters.name} | {v.identity()['name']}", "", body, "list")

    def render_letter(self, v, index):
        lt = self.check_letter(v, index)
        if lt is None:
            return None
        return self.page(v, f"{lt.title} | {v.identity()['name']}", "", self.letter_detail(v, lt), "content")

    def render_calendar(self, v, month):
        return self.page(v, f"活动日历 | {v.identity()['name']}", "", self.calendar_body(v, month), "list")
