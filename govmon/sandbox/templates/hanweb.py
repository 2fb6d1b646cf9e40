"""大汉 jcms (Hanweb) family: columns ``/col/col1621004/index.html`` paged with
``?uid=…&pageNum=2``; the list ships as ``<script type="text/xml"><datastore><recordset><record>
<![CDATA[<li>…</li>]]></record>…`` as real Hanweb pages do; articles at
``/art/2024/2/19/art_1621004_30332664.html``."""

from __future__ import annotations

import re
from datetime import date

from govmon.sandbox.content import Item, Letter, h
from govmon.sandbox.templates.base import Route, SiteTemplate, SiteView, date_text, esc

_COL = re.compile(r"^/col/col(\d+)/index\.html$")
_ART = re.compile(r"^/art/(\d{4})/(\d{1,2})/(\d{1,2})/art_(\d+)_(\d+)\.html$")
_PIC = re.compile(r"^/picture/0/s(\d+)\.jpg$")
_ATT = re.compile(r"^/attach/0/(\d+)\.(pdf|doc)$")
LETTER_COLNO = 99


class HanwebTemplate(SiteTemplate):
    name = "hanweb"

    def col_base(self, v: SiteView) -> int:
        return 1_500_000 + (h("hanweb-col", v.spec.key) % 90_000) * 100

    def art_base(self, v: SiteView) -> int:
        return 30_000_000 + (h("hanweb-art", v.spec.key) % 60) * 1_000_000

    def cid(self, v, colno: int) -> int:
        return self.col_base(v) + colno

    def uid(self, v, colno: int) -> int:
        return 4_000_000 + (h("hanweb-uid", v.spec.key, colno) % 900_000)

    def aid(self, v, colno: int, index: int) -> int:
        return self.art_base(v) + colno * 10_000 + index

    def split_aid(self, v, aid: int) -> tuple[int, int] | None:
        n = aid - self.art_base(v)
        if n < 0 or n >= 1_000_000:
            return None
        return n // 10_000, n % 10_000

    # ---- URLs ---------------------------------------------------------------------------------
    def column_url(self, v, col, page=0):
        base = f"/col/col{self.cid(v, col.colno)}/index.html"
        return base if page == 0 else f"{base}?uid={self.uid(v, col.colno)}&pageNum={page + 1}"

    def article_url(self, v, item: Item):
        d = item.dt
        return (f"/art/{d.year}/{d.month}/{d.day}/art_{self.cid(v, item.column.colno)}_"
                f"{self.aid(v, item.column.colno, item.index)}.html")

    def letters_url(self, v, page=0):
        base = f"/col/col{self.cid(v, LETTER_COLNO)}/index.html"
        return base if page == 0 else f"{base}?uid={self.uid(v, LETTER_COLNO)}&pageNum={page + 1}"

    def letter_url(self, v, lt: Letter):
        d = lt.asked
        return f"/art/{d.year}/{d.month}/{d.day}/art_{self.cid(v, LETTER_COLNO)}_{self.aid(v, LETTER_COLNO, lt.index)}.html"

    def image_url(self, v, col, index):
        return f"/picture/0/s{self.aid(v, col.colno, index)}.jpg"

    def attachment_url(self, v, col, index, ext):
        return f"/attach/0/{self.aid(v, col.colno, index)}.{ext}"

    def logo_url(self, v):
        return "/picture/0/logo.png"

    def dead_url(self, v, i):
        return f"/col/col{self.cid(v, 200 + i)}/index.html"

    # ---- routing --------------------------------------------------------------------------------
    def _page_num(self, query) -> int | None:
        raw = query.get("pageNum")
        if raw is None:
            return 0
        if not raw.isdigit() or int(raw) < 1:
            return None
        return int(raw) - 1

    def route_own(self, v, path, query):
        m = _COL.match(path)
        if m:
            colno = int(m.group(1)) - self.col_base(v)
            page = self._page_num(query)
            if page is None:
                return None
            if colno == LETTER_COLNO and v.spec.letters.enabled:
                return Route("letters", page=page)
            col = v.column_by_no(colno)
            if col is None or page >= v.page_count(col):
                return None
            return Route("column", column=col, page=page)
        m = _ART.match(path)
        if m:
            try:
                day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                return None
            colno = int(m.group(4)) - self.col_base(v)
            split = self.split_aid(v, int(m.group(5)))
            if split is None or split[0] != colno:
                return None
            if colno == LETTER_COLNO and v.spec.letters.enabled:
                lt = self.check_letter(v, split[1])
                if lt is None or lt.asked.date() != day:
                    return None
                return Route("letter", index=lt.index)
            it = self.check_item(v, v.column_by_no(colno), split[1], day)
            return Route("article", column=it.column, index=it.index) if it else None
        for rx in (_PIC, _ATT):
            m = rx.match(path)
            if m:
                split = self.split_aid(v, int(m.group(1)))
                col = v.column_by_no(split[0]) if split else None
                if col is None or v.item(col, split[1]) is None:
                    return None
                return Route("asset", asset=m.group(2) if rx is _ATT else "jpg")
        return None

    # ---- markup ---------------------------------------------------------------------------------
    def page(self, v: SiteView, title: str, metas: str, body: str) -> str:
        ident = v.identity()
        nav = "".join(f'<li><a href="{esc(u)}" target="_self">{esc(t)}</a></li>' for t, u in self.nav_links(v))
        lines = self.footer_lines(v)
        return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
    {self.charset_tag(v)}
    <meta http-equiv="X-UA-Compatible" content="IE=edge,chrome=1">
    <title>{esc(title)}</title>
<meta name="Maketime" content="{v.anchor:%Y-%m-%d %H:%M:%S}">
{self.site_metas(v)}{metas}<style type="text/css">.footer p{{font-size:13px;line-height:30px}}.bt-list li span{{float:right}}</style>
</head>
<body>
<div class="top"><div class="logo"><a href="/"><img src="{self.logo_url(v)}" alt="{esc(ident['name'])}"></a></div>
<div class="nav"><ul class="clearfix">{nav}</ul></div></div>
<div class="wrap">
{body}
</div>
<div class="footer">
  <table border="0" cellpadding="0" cellspacing="0" width="1200" height="100%" style=" margin:0 auto;">
    <tbody><tr><td align="center">
      <p>{lines[0]}</p>
      <p>{lines[2]}</p>
      <p>备案号：{esc(ident['icp'])} 网站标识码：{esc(ident['site_code'])} {esc(ident['police'])}</p>
    </td></tr></tbody>
  </table>
</div>
<!-- Produced By 大汉网络 大汉版通发布系统 -->
</body></html>
"""

    def li(self, v, it: Item, fmt: str) -> str:
        span = "" if it.column.undated else f"<span>{date_text(it.dt, fmt)}</span>"
        return (f'<li><a href="{self.article_url(v, it)}" target="_blank" title="{esc(it.title)}">'
                f'{esc(it.title)}</a>{span}</li>')

    def render_home(self, v):
        hp = v.spec.homepage
        blocks = []
        if not hp.navigation_only:
            from govmon.sandbox import content

            for col in v.homepage_columns():
                items = content.homepage_items(v.spec, col, v.anchor, hp.items_per_block)
                lis = "\n".join(self.li(v, it, hp.date_format) for it in items) or "<li>暂无信息</li>"
                blocks.append(f'<div class="bt-box"><div class="bt-title"><a href="{self.column_url(v, col)}">'
                              f'{esc(col.name)}</a><a class="more" href="{self.column_url(v, col)}">更多</a></div>'
                              f'<ul class="bt-list">\n{lis}\n</ul></div>')
        links = self.broken_urls(v)
        if links:
            blocks.append('<div class="bt-box zt"><div class="bt-title">专题专栏</div><ul>' + "".join(
                f'<li><a href="{esc(u)}" target="_blank">{esc(t)}</a></li>' for t, u in links) + "</ul></div>")
        if v.faults.get("broken_image"):
            blocks.append(f'<div class="banner"><img src="{self.broken_image_url(v)}"></div>')
        return self.page(v, v.identity()["name"], "", "\n".join(blocks))

    def pager(self, v, page: int, count: int, url_of) -> str:
        countpage = page + 2 if count >= 10**9 else count
        links = []
        if page > 0:
            links.append(f'<a href="{url_of(0)}">首页</a> <a href="{url_of(page - 1)}">上页</a>')
        if page + 1 < countpage:
            links.append(f'<a href="{url_of(page + 1)}">下页</a> <a href="{url_of(countpage - 1)}">尾页</a>')
        return (f'<div class="default_pgContainer_pager"><span class="default_pgTotalPage">共{countpage}页</span> '
                f'<span class="default_pgCurrentPage">{page + 1}</span> {" ".join(links)}</div>')

    def render_column(self, v, col, page):
        items = v.page_items(col, page)
        fmt = v.list_format(col)
        records = "\n".join(f"<record><![CDATA[\n{self.li(v, it, fmt)}\n]]></record>" for it in items)
        total = col.item_count if not col.trap else col.count * (page + 2)
        datastore = (f'<script type="text/xml"><datastore>\n<recordset>\n{records}\n</recordset>\n</datastore></script>'
                     if items else '<p class="empty">暂无信息</p>')
        body = (f'<div class="position">您当前的位置：<a href="/">首页</a> &gt; <a href="{self.column_url(v, col)}">'
                f'{esc(col.name)}</a></div>{self.subcolumns(v, col)}<div class="list-main"><div class="list-title">{esc(col.name)}</div>'
                f'<div id="{self.uid(v, col.colno)}" class="default_pgContainer" data-total="{total}" '
                f'data-perpage="{v.spec.page_size}">\n{datastore}\n</div>\n'
                + self.pager(v, page, v.page_count(col), lambda p: self.column_url(v, col, p)) + "</div>")
        return self.page(v, f"{col.name} {v.identity()['name']}", self.column_metas(v, col), body)

    def render_article(self, v, col, index):
        it = v.item(col, index)
        if it is None:
            return None
        body = (f'<div class="con"><p class="con-title"><!--<$[标题]>begin-->{esc(it.title)}<!--<$[标题]>end--></p>'
                f'<div class="small-title clearfix"><span>发布日期：{it.dt:%Y-%m-%d}</span> <span>浏览次数： </span> '
                f'<span>信息来源：<!--<$[信息来源]>begin-->{esc(v.spec.organizer)}<!--<$[信息来源]>end--></span></div>'
                f'<div class="main-txt" id="zoom"><!--<$[信息内容]>begin--><meta name="ContentStart">\n'
                f'{self.body_html(v, it)}\n<meta name="ContentEnd"><!--<$[信息内容]>end--></div></div>')
        metas = self.column_metas(v, col) + self.article_metas(v, it, "%Y-%m-%d %H:%M")
        metas += f'<meta name="url" content="{v.base_url}{self.article_url(v, it)}">\n'
        return self.page(v, it.title, metas, body)

    def render_letters(self, v, page):
        got = self.letters_page(v, page)
        if got is None:
            return None
        letters, pages = got
        body = (f'<div class="position">您当前的位置：<a href="/">首页</a> &gt; 互动交流 &gt; {esc(v.spec.letters.name)}</div>'
                f'<div class="list-title">{esc(v.spec.letters.name)}</div>\n' + self.letters_table(v, letters)
                + self.pager(v, page, pages, lambda p: self.letters_url(v, p)))
        return self.page(v, f"{v.spec.letters.name} {v.identity()['name']}", "", body)

    def render_letter(self, v, index):
        lt = self.check_letter(v, index)
        if lt is None:
            return None
        return self.page(v, lt.title, "", f'<div class="con">{self.letter_detail(v, lt)}</div>')

    def render_calendar(self, v, month):
        return self.page(v, f"活动日历 {v.identity()['name']}", "", self.calendar_body(v, month))
