"""Navigation, homepage blocks and navigation-only homepages; footer identity; letters lists."""

from __future__ import annotations

import datetime as dt

from govmon.parsing.footer import parse_identity
from govmon.parsing.html import Page
from govmon.parsing.letters import parse_letter_detail, parse_letters
from govmon.parsing.navigation import parse_homepage

REF = dt.date(2026, 9, 30)
HEADER = ('<div class="top-links"><a href="http://www.gov.cn/">中国政府网</a></div>'
          '<div id="menu"><a href="/">网站首页</a> | <a href="/xw/">新闻中心</a> | <a href="/gk/">信息公开</a> | '
          '<a href="/bs/">办事服务</a> | <a href="/hd/">互动交流</a></div>')


def test_navigation_and_blocks():
    html = (HEADER + '<div class="box"><h3>工作动态</h3><a class="more" href="/xw/gzdt/">更多&gt;&gt;</a><ul>'
            '<li><a href="/xw/gzdt/1.html">鹰川市召开安全生产工作会议</a><span>09-29</span></li>'
            '<li><a href="/xw/gzdt/2.html">鹰川市部署秋冬季森林防火工作</a><span>09-25</span></li></ul></div>'
            '<div class="box"><h3>通知公告</h3><a href="/gk/tzgg/">more</a><ul>'
            '<li><a href="/gk/tzgg/1.html">关于开展安全生产专项行动的通知</a><span>2026-08-01</span></li></ul></div>')
    hp = parse_homepage(Page("http://h/", html), REF)
    assert [n.name for n in hp.nav] == ["新闻中心", "信息公开", "办事服务", "互动交流"]
    assert [(b.name, b.url) for b in hp.blocks] == [("工作动态", "http://h/xw/gzdt/"), ("通知公告", "http://h/gk/tzgg/")]
    assert [i.date for i in hp.items] == [dt.date(2026, 9, 29), dt.date(2026, 9, 25), dt.date(2026, 8, 1)]
    assert not hp.navigation_only
    assert [c.url for c in hp.columns()][:4] == ["http://h/xw/", "http://h/gk/", "http://h/bs/", "http://h/hd/"]


def test_navigation_only_homepage():
    html = HEADER + ('<div class="icons"><a href="/zt/1/">网上展厅</a><a href="/zt/2/">专题专栏</a>'
                     '<a href="/zt/3/">数据开放</a></div>')
    hp = parse_homepage(Page("http://h/", html), REF)
    assert hp.navigation_only and not hp.items


def test_undated_headlines_are_not_navigation_only():
    lis = "".join(f'<li><a href="/xw/{i}.html">鹰川市召开第{i}次城市更新工作推进会议</a></li>' for i in range(4))
    hp = parse_homepage(Page("http://h/", HEADER + f'<ul class="news">{lis}</ul>'), REF)
    assert not hp.navigation_only and not hp.dated_items


def test_footer_identity():
    html = ('<div class="footer"><p>主办：鹰川市人民政府办公室　承办：信息中心</p>'
            '<p>赣ICP备06000141号-2　政府网站标识码：3699000001　<a>赣公网安备 36090202000004号</a></p></div>')
    ident = parse_identity(Page("http://h/", '<meta name="SiteIDCode" content="3699000001">' + html))
    assert (ident.site_code, ident.meta_site_code) == ("3699000001", "3699000001")
    assert ident.icp == "赣ICP备06000141号-2"
    assert ident.police == "赣公网安备36090202000004号"
    assert ident.organizer == "鹰川市人民政府办公室"
    none = parse_identity(Page("http://h/", "<p>版权所有</p>"))
    assert none.codes == set() and none.icp is None
    bm = parse_identity(Page("http://h/", "<p>网站标识码bm01000001 京ICP备05070218号</p>"))
    assert bm.site_code == "bm01000001"


LETTERS = ('<table class="letter-list"><thead><tr><th>标题</th><th>留言时间</th><th>回复时间</th><th>状态</th></tr></thead>'
           '<tbody><tr><td><a href="/ldxx/1.html">反映人民路路灯不亮问题</a></td><td>2026-09-01</td><td>2026-09-05</td>'
           '<td>已回复</td></tr><tr><td><a href="/ldxx/2.html">咨询义务教育入学政策</a></td><td>2026-05-20</td><td></td>'
           '<td>办理中</td></tr></tbody></table><div class="page"><a href="list_2.html">下一页</a></div>')


def test_letters_list():
    lp = parse_letters(Page("http://h/ldxx/list.html", LETTERS), REF)
    assert lp.found and lp.has_reply_column and lp.next_url == "http://h/ldxx/list_2.html"
    assert [(lt.title, lt.asked, lt.replied, lt.status, lt.answered) for lt in lp.letters] == [
        ("反映人民路路灯不亮问题", dt.date(2026, 9, 1), dt.date(2026, 9, 5), "已回复", True),
        ("咨询义务教育入学政策", dt.date(2026, 5, 20), None, "办理中", False)]


def test_letters_list_other_headers_and_detail_page():
    html = ('<table><tr><td>信件标题</td><td>来信时间</td><td>办理状态</td></tr>'
            '<tr><td><a href="/x/1.html">关于停车难的建议</a></td><td>2026年3月2日</td><td>已办结</td></tr></table>')
    lp = parse_letters(Page("http://h/x/", html), REF)
    assert lp.found and not lp.has_reply_column
    assert lp.letters[0].asked == dt.date(2026, 3, 2) and lp.letters[0].answered is True
    detail = parse_letter_detail(Page("http://h/x/1.html", '<table><tr><th>留言时间</th><td>2026-03-02 10:00</td></tr>'
                                                        '<tr><th>回复时间</th><td>2026-04-10 09:00</td></tr></table>'), REF)
    assert (detail.asked, detail.replied) == (dt.date(2026, 3, 2), dt.date(2026, 4, 10))
    assert not parse_letters(Page("http://h/", "<table><tr><td>a</td></tr></table>"), REF).found
