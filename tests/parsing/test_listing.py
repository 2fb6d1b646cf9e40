"""List items and their dates, blank columns and next pages, on markups of several kinds."""

from __future__ import annotations

import datetime as dt

from govmon.parsing.html import Page
from govmon.parsing.listing import extract_list, next_page

REF = dt.date(2026, 9, 30)
NAV = '<div class="nav"><ul><li><a href="/col/a/index.html">工作动态</a></li><li><a href="/col/b/index.html">通知公告</a></li></ul></div>'
FOOT = '<div class="footer">主办单位：鹰川市教育局 网站标识码：3699000002</div>'


def parse(body: str, url="http://h/col/a/index.html", **kw):
    return extract_list(Page(url, f"<html><head><title>t</title></head><body>{NAV}{body}{FOOT}</body></html>"),
                        REF, **kw)


def test_ul_with_span_dates():
    r = parse('<ul class="list"><li><a href="./202609/t1.html">关于开展安全生产专项检查的通知</a><span>2026-09-28</span></li>'
              '<li><a href="./202609/t2.html">关于做好防汛工作的通知文件</a><span>2026-09-20</span></li></ul>')
    assert [(i.url, i.date) for i in r.items] == [("http://h/col/a/202609/t1.html", dt.date(2026, 9, 28)),
                                                  ("http://h/col/a/202609/t2.html", dt.date(2026, 9, 20))]


def test_table_rows_with_dates_in_another_cell():
    rows = "".join(f'<tr><td><a href="/art/{i}.html">鹰川市召开第{i}次专题工作推进会议</a></td><td>2026.0{i}.1{i}</td></tr>'
                   for i in range(1, 4))
    r = parse(f"<table>{rows}</table>")
    assert [i.date for i in r.items] == [dt.date(2026, 1, 11), dt.date(2026, 2, 12), dt.date(2026, 3, 13)]


def test_dates_before_titles_and_bracketed_month_day():
    r = parse('<div class="news"><p><span>[09-29]</span> <a href="/a/1.html">市领导调研乡村振兴工作情况</a></p>'
              '<p><span>[12-30]</span> <a href="/a/2.html">东湖县部署河长制重点工作任务</a></p></div>')
    assert [i.date for i in r.items] == [dt.date(2026, 9, 29), dt.date(2025, 12, 30)]


def test_title_digits_are_not_dates():
    r = parse('<ul><li><a href="/a/1.html">1-10月德清县固定资产投资结构趋稳趋优</a></li>'
              '<li><a href="/a/2.html">2024年工作要点和2025年工作计划</a></li></ul>')
    assert [i.date for i in r.items] == [None, None]
    assert len(r.items) == 2 and not r.blank


def test_hanweb_cdata_records():
    recs = "".join(f'<record><![CDATA[\n<li><a href="/art/2026/9/{d}/art_1_{d}.html" title="t">财政局召开预算编制工作会议{d}</a>'
                   f'<span>2026/09/{d:02d} 08:30</span></li>\n]]></record>' for d in (28, 20))
    r = parse(f'<div id="1" class="default_pgContainer"><script type="text/xml"><datastore><recordset>{recs}'
              f'</recordset></datastore></script></div>')
    assert [i.date for i in r.items] == [dt.date(2026, 9, 28), dt.date(2026, 9, 20)]


def test_blank_columns():
    r = parse('<ul class="list"><li class="empty">暂无信息</li></ul>')
    assert r.blank and r.blank_marker == "暂无信息"
    r = parse('<div class="list-main"></div>')
    assert r.blank and r.blank_marker is None


def test_undated_list_is_not_blank():
    lis = "".join(f'<li><a href="/a/{i}.html">鹰川市财政数据统计月报第{i}期发布</a></li>' for i in range(5))
    r = parse(f'<ul class="list">{lis}</ul>')
    assert len(r.items) == 5 and not r.dated and not r.blank


def test_navigation_links_are_never_items():
    r = parse('<ul class="list"><li><a href="/col/a/index.html">工作动态栏目首页链接</a><span>2026-09-28</span></li></ul>',
              exclude={"http://h/col/a/index.html"})
    assert r.blank


def test_next_page_from_links_and_from_trs_script():
    p = Page("http://h/col/a/index.html", '<div class="page"><a href="index_1.html">下一页</a></div>')
    assert next_page(p) == ("http://h/col/a/index_1.html", None)
    p = Page("http://h/col/a/index_1.html", '<script>createPageHTML(3, 1, "index", "html");</script>')
    assert next_page(p) == ("http://h/col/a/index_2.html", 3)
    p = Page("http://h/col/a/index_2.html", '<script>createPageHTML(3, 2, "index", "html");</script>')
    assert next_page(p) == (None, 3)
    p = Page("http://h/list.jsp", '<a href="javascript:void(0)" class="next">下一页</a>')
    assert next_page(p) == (None, None)
    p = Page("http://h/list?page=1", '<a href="?page=2" rel="next">›</a>')
    assert next_page(p)[0] == "http://h/list?page=2"


def test_carry_over_between_pages():
    r = parse('<ul><li><a href="/a/1.html">关于征求意见稿意见的公告事项</a><span>[01-05]</span></li>'
              '<li><a href="/a/2.html">关于开展专项行动的通知要求</a><span>[12-20]</span></li></ul>',
              start_after=dt.date(2025, 2, 1))
    assert [i.date for i in r.items] == [dt.date(2025, 1, 5), dt.date(2024, 12, 20)]


def test_malformed_html_does_not_raise():
    r = parse('<ul><li><a href="/a/1.html">未闭合的标签页面标题</a><span>2026-09-01<li><a href=/a/2.html>第二条信息标题内容</a>'
              '<span>2026-08-01</ul></div></div></table><p><b><i>交错</b></i>')
    assert [i.date for i in r.items] == [dt.date(2026, 9, 1), dt.date(2026, 8, 1)]
    assert Page("http://h/", "").links == []
