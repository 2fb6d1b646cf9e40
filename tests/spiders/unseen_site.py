"""A small hand-written government site in a markup the sandbox never uses (a JSP-style CMS: tables,
``(MM-DD)`` and ``2026.09.29`` dates, ``list.jsp?id=…&page=…`` paging, a left-hand sub-column menu,
a 公众留言 table with 提问时间/答复时间), plus the hazards a crawler meets: a huge page, a page that
never answers in time, a 500, a redirect loop, robots.txt, malformed HTML, GBK bytes declared as
UTF-8, a calendar and a pagination trap. Served by aiohttp on 127.40.0.1 in a background thread.

Dates are relative to ``today`` (Asia/Shanghai); ``TRUTH`` says what a crawler should find.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading

from aiohttp import web

HOST = "127.40.0.1"
SITE_CODE = "3699000099"
ORGANIZER = "鹰川市统计局"


def cn_today() -> dt.date:
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()


class UnseenSite:
    def __init__(self, today: dt.date | None = None):
        self.today = today or cn_today()
        self.port = 0
        self._loop = None
        self._runner = None
        self._thread = None
        self.hits: dict[str, int] = {}

    # ---- content --------------------------------------------------------------------------
    def d(self, days: int) -> dt.date:
        return self.today - dt.timedelta(days=days)

    COLUMNS = {
        11: ("本局新闻", "dynamic_news", 1, None),
        12: ("通知通告", "notice", 1, None),
        13: ("政策法规", "policy", 1, None),
        14: ("规范性文件", "policy", 2, 13),
        15: ("政策解读", "policy", 2, 13),
        16: ("人事任免", "personnel", 1, None),
        17: ("专题活动", "other", 1, None),
        20: ("往期专题", "other", 1, None),
        21: ("数据下载", "other", 1, None),
    }

    def items(self, cid: int) -> list[tuple[int, dt.date]]:
        """(article id, date) newest first."""
        spec = {11: (2, 3, 25), 12: (5, 20, 5), 13: (40, 30, 4), 14: (200, 60, 3), 15: (9, 10, 4), 16: (30, 45, 4),
                17: (0, 0, 0), 20: (3, 1, 6), 21: (1, 1, 2)}[cid]
        first, step, n = spec
        return [(cid * 1000 + i, self.d(first + step * i)) for i in range(n)]

    def truth(self) -> dict:
        out = {}
        for cid, (name, typ, level, parent) in self.COLUMNS.items():
            its = self.items(cid)
            out[name] = (typ, level, its[0][1] if its else None, not its)
        return out

    # ---- pages ----------------------------------------------------------------------------
    def frame(self, title: str, body: str, charset: str = "utf-8", metas: str = "") -> str:
        nav = " · ".join(f'<a href="/channel/list.jsp?id={cid}">{name}</a>'
                         for cid, (name, _, level, _) in self.COLUMNS.items() if level == 1)
        nav += (' · <a href="/channel/list.jsp?id=18">公众留言</a>'
                f' · <a href="/channel/calendar.jsp?ym={self.today:%Y-%m}">活动日历</a>'
                ' · <a href="/private/notice.jsp">内部通知</a>')   # disallowed by robots.txt
        return (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
                f"<title>{title}</title>{metas}</head><body>"
                '<table id="top" width="100%"><tr><td><img src="/img/logo.gif" alt="统计局"></td>'
                '<td><a href="/index.jsp">网站首页</a></td></tr></table>'
                f'<div id="menu">{nav}</div>{body}'
                f'<div id="bottom">版权所有：{ORGANIZER}　主办单位：{ORGANIZER}　网站标识码：{SITE_CODE}<br>'
                "赣ICP备12345678号-3　赣公网安备 36990002000123号</div></body></html>")

    def home(self) -> str:
        blocks = []
        for cid in (11, 12):
            lis = "".join(f'<li><a href="/art/{aid}.jsp" title="标题">{self.title(cid, aid)}</a>'
                          f'<i>{day:%m/%d}</i></li>' for aid, day in self.items(cid)[:5])
            blocks.append(f'<div class="mod"><div class="mod-hd"><b>{self.COLUMNS[cid][0]}</b>'
                          f'<a href="/channel/list.jsp?id={cid}">MORE+</a></div><ul class="mod-bd">{lis}</ul></div>')
        hazards = ('<div class="tools"><a href="/huge.pdf">统计年鉴全文下载</a> <a href="/slow.jsp">统计数据查询系统</a> '
                   '<a href="/error.jsp">网上调查系统入口</a> <a href="/loop/a">统计地图展示平台</a> '
                   '<a href="/private/secret.html">内部资料汇编目录</a> '
                   f'<a href="http://127.30.0.9:{self.port}/">友情链接：已停用的网站</a></div>')
        return self.frame("鹰川市统计局", "".join(blocks) + hazards)

    def title(self, cid: int, aid: int) -> str:
        return f"鹰川市统计局{self.COLUMNS[cid][0]}第{aid % 1000 + 1}号信息发布"

    def list_page(self, cid: int, page: int) -> tuple[str, str]:
        name = self.COLUMNS[cid][0]
        its = self.items(cid)
        per = 10
        if cid == 20:  # pagination trap: every page the same items, always a next page
            chunk = its
            more = True
        else:
            chunk = its[(page - 1) * per: page * per]
            more = page * per < len(its)
        side = ""
        if cid == 13:
            side = ('<div class="leftnav"><p><a href="/channel/list.jsp?id=14">规范性文件</a></p>'
                    '<p><a href="/channel/list.jsp?id=15">政策解读</a></p></div>')
        if cid == 17:
            body = '<div class="nodata">该栏目下暂无内容</div>'
        elif cid == 12:   # dates before titles, (MM-DD)
            body = "<dl>" + "".join(f'<dd><span>({day:%m-%d})</span> <a href="/art/{aid}.jsp">{self.title(cid, aid)}</a></dd>'
                                    for aid, day in chunk) + "</dl>"
        elif cid == 16:   # no dates on the list
            body = '<ul class="lst">' + "".join(f'<li><a href="/art/{aid}.jsp">{self.title(cid, aid)}</a></li>'
                                               for aid, day in chunk) + "</ul>"
        elif cid in (13, 14):
            body = "<ul>" + "".join(f'<li><a href="/art/{aid}.jsp">{self.title(cid, aid)}</a>'
                                    f"<em>{day.year}年{day.month}月{day.day}日</em></li>" for aid, day in chunk) + "</ul>"
        else:             # table rows, 2026.09.29
            body = '<table class="tbl">' + "".join(
                f'<tr><td class="t"><a href="/art/{aid}.jsp">{self.title(cid, aid)}</a></td><td class="d">{day:%Y.%m.%d}</td></tr>'
                for aid, day in chunk) + "</table>"
        pager = f'<div class="pg">第{page}页 <a href="list.jsp?id={cid}&page={page + 1}">下一页</a></div>' if more else ""
        charset = "utf-8"
        html = self.frame(f"{name}-鹰川市统计局", side + f"<h2>{name}</h2>" + body + pager, charset)
        if cid == 21:
            html += "<!--" + "统计数据" * 1_200_000 + "-->"   # ~14 MB: larger than the crawl's maximum
        return html, ("gbk" if cid == 12 else "utf-8")

    def article(self, aid: int) -> str:
        cid = aid // 1000
        day = dict(self.items(cid))[aid]
        metas = f'<meta name="PubDate" content="{day:%Y-%m-%d} 09:30">'
        body = (f"<h1>{self.title(cid, aid)}</h1><div class=info>发布日期：{day:%Y-%m-%d}<div><p>正文<b>未闭合"
                '<p><img src="/img/a.jpg"><table><tr><td>表格</div></span>')  # malformed on purpose
        return self.frame(self.title(cid, aid), body, metas=metas)

    def letters(self) -> str:
        rows = [(self.d(120), None, "处理中"), (self.d(40), self.d(30), "已答复"), (self.d(5), None, "处理中")]
        trs = "".join(f'<tr><td><a href="/msg/{i}.jsp">群众来信第{i}件</a></td><td>{a:%Y-%m-%d}</td>'
                      f'<td>{r.strftime("%Y-%m-%d") if r else ""}</td><td>{s}</td></tr>' for i, (a, r, s) in enumerate(rows))
        return self.frame("公众留言", '<table class="msg"><tr><td>主题</td><td>提问时间</td><td>答复时间</td><td>处理状态</td></tr>'
                          + trs + "</table>")

    def calendar(self, ym: str) -> str:
        y, m = int(ym[:4]), int(ym[5:7])
        nxt = f"{y + (m == 12)}-{m % 12 + 1:02d}"
        return self.frame("活动日历", f'<div class="cal">{ym} 本月暂无活动 <a href="calendar.jsp?ym={nxt}">下一月</a></div>')

    # ---- server ---------------------------------------------------------------------------
    async def handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        self.hits[path] = self.hits.get(path, 0) + 1
        q = request.query
        html = lambda text, enc="utf-8": web.Response(body=text.encode(enc), content_type="text/html")  # noqa: E731
        if path == "/robots.txt":
            return web.Response(text="User-agent: *\nDisallow: /private/\n", content_type="text/plain")
        if path in ("/", "/index.jsp"):
            return html(self.home())
        if path == "/channel/list.jsp":
            cid = int(q.get("id", 0))
            if cid == 18:
                return html(self.letters())
            if cid not in self.COLUMNS:
                return web.Response(status=404, text="not found")
            text, enc = self.list_page(cid, int(q.get("page", 1)))
            return html(text, enc)
        if path == "/channel/calendar.jsp":
            return html(self.calendar(q.get("ym", f"{self.today:%Y-%m}")))
        if path.startswith("/art/"):
            aid = int(path[5:-4])
            if aid // 1000 not in self.COLUMNS or aid not in dict(self.items(aid // 1000)):
                return web.Response(status=404, text="not found")
            return html(self.article(aid))
        if path.startswith("/img/") or path.startswith("/msg/"):
            return web.Response(body=b"GIF89a" if path.startswith("/img/") else "留言详情".encode(),
                                content_type="image/gif" if path.startswith("/img/") else "text/html")
        if path == "/huge.pdf":
            return web.Response(body=b"%PDF-1.4\n" + b"0" * (13 * 1024 * 1024), content_type="application/pdf")
        if path == "/slow.jsp":
            await asyncio.sleep(6)
            return html("慢")
        if path == "/error.jsp":
            return web.Response(status=500, text="Internal Server Error")
        if path == "/loop/a":
            raise web.HTTPFound("/loop/b")
        if path == "/loop/b":
            raise web.HTTPFound("/loop/a")
        return web.Response(status=404, text="not found")

    def start(self) -> "UnseenSite":
        ready = threading.Event()

        def run():
            self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self._loop)
            app = web.Application()
            app.router.add_route("*", "/{tail:.*}", self.handle)
            self._runner = web.AppRunner(app, access_log=None)
            self._loop.run_until_complete(self._runner.setup())
            site = web.TCPSite(self._runner, HOST, 0)
            self._loop.run_until_complete(site.start())
            self.port = site._server.sockets[0].getsockname()[1]
            ready.set()
            self._loop.run_forever()
            self._loop.run_until_complete(self._runner.cleanup())

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        assert ready.wait(10), "the unseen site did not start"
        return self

    def stop(self):
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/index.jsp"
