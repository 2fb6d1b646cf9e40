"""The sandbox's sites over real HTTP: one host per site, the three template families, encodings,
date formats and page content."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sandbox_helpers import ANCHOR, fetch

pytestmark = pytest.mark.integration

META = re.compile(r'<meta name="([A-Za-z]+)" content="([^"]*)"')


def metas(text: str) -> dict:
    return dict(META.findall(text))


def day(n: int):
    return (ANCHOR - timedelta(days=n)).date()


def first_link(text: str, pattern: str) -> str:
    m = re.search(pattern, text)
    assert m, f"no link matching {pattern}"
    return m.group(0)


def test_each_site_is_its_own_host(sandbox, small):
    addresses = set()
    for spec in small.sites:
        if spec.faults.get("down") or spec.faults.get("timeout") or spec.faults.get("http_5xx") \
                or spec.faults.get("redirect_loop") is True or spec.faults.get("fail_ratio"):
            continue
        url = sandbox.url(spec.key)
        assert url == f"http://{spec.address}:{sandbox.state['port']}/"
        assert spec.address.startswith("127.10.") and spec.address != "127.0.0.1"
        addresses.add(spec.address)
        r = fetch(url, timeout=5)
        assert r.status == 200
        text = r.body.decode(spec.encoding)
        m = metas(text)
        assert m["SiteName"] == spec.name
        assert spec.name in text
        if not spec.faults.get("identity_mismatch"):
            assert m["SiteIDCode"] == spec.site_code
    assert len(addresses) >= 6
    assert len({s.address for s in small.sites}) == len(small.sites)
    assert len({sandbox.state["port"]} | {int(u.rsplit(":", 1)[1].strip("/")) for u in
                                         (sandbox.url(s.key) for s in small.sites)}) == 1


def test_trs_template(site_url):
    home = fetch(site_url("donghu")).body.decode("gbk")
    col = first_link(home, r"\./col/zwyw/index\.html")
    r = fetch(site_url("donghu", col[1:]))
    text = r.body.decode("gbk")
    assert 'createPageHTML(3, 0, "index", "html");' in text
    assert '<a href="index_1.html">下一页</a>' in text
    assert fetch(site_url("donghu", "/col/zwyw/index_2.html")).status == 200
    assert fetch(site_url("donghu", "/col/zwyw/index_3.html")).status == 404
    art = first_link(text, r"\./\d{6}/t\d{8}_\d+\.html")
    a = fetch(site_url("donghu", "/col/zwyw/" + art[2:]))
    assert a.status == 200
    m = metas(a.body.decode("gbk"))
    assert set(m) >= {"SiteName", "SiteIDCode", "ColumnName", "ColumnType", "ArticleTitle", "PubDate"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", m["PubDate"])
    assert m["ColumnName"] == "政务要闻"


def test_hanweb_template(site_url):
    home = fetch(site_url("xishan")).text()
    col = first_link(home, r"/col/col\d+/index\.html")
    text = fetch(site_url("xishan", col)).text()
    assert '<script type="text/xml"><datastore>' in text
    records = re.findall(r"<record><!\[CDATA\[\s*(<li>.*?</li>)\s*\]\]></record>", text, re.S)
    assert len(records) == 20
    nxt = first_link(text, r"/col/col\d+/index\.html\?uid=\d+&pageNum=2")
    assert fetch(site_url("xishan", nxt)).status == 200
    art = re.search(r'href="(/art/(\d{4})/(\d{1,2})/(\d{1,2})/art_\d+_\d+\.html)"', records[0])
    a = fetch(site_url("xishan", art.group(1)))
    assert a.status == 200
    m = metas(a.text())
    assert m["PubDate"].startswith(f"{art.group(2)}-{int(art.group(3)):02d}-{int(art.group(4)):02d}")
    assert "Produced By 大汉网络" in a.text()


def test_jiangxi_template(site_url, small):
    sp = small.site("portal").sitepath
    home = fetch(site_url("portal")).text()
    assert '<span class="time">' in home
    col = first_link(home, rf"/{sp}/tzgg/list\.shtml")
    text = fetch(site_url("portal", col)).text()
    assert f'href="/{sp}/tzgg/list_2.shtml"' in text
    assert fetch(site_url("portal", f"/{sp}/tzgg/list_2.shtml")).status == 200
    art = first_link(text, rf"/{sp}/tzgg/\d{{6}}/[0-9a-f]{{32}}\.shtml")
    a = fetch(site_url("portal", art))
    assert a.status == 200
    m = metas(a.text())
    assert set(m) >= {"SiteName", "SiteDomain", "SiteIDCode", "ColumnName", "ColumnType", "ArticleTitle",
                      "PubDate", "ContentSource"}
    assert m["SiteDomain"] == "www.yingchuan.gov.cn"
    assert fetch(site_url("portal", f"/{sp}/index.shtml")).status == 200
    # a tampered id is not an article
    tampered = art[:-7] + ("0" if art[-7] != "0" else "1") + art[-6:]
    assert fetch(site_url("portal", tampered)).status == 404


def test_gbk_site_bytes(site_url):
    r = fetch(site_url("donghu"))
    with pytest.raises(UnicodeDecodeError):
        r.body.decode("utf-8")
    text = r.body.decode("gbk")
    assert "东湖县人民政府" in text and "charset=gbk" in text
    assert r.headers["content-type"] == "text/html"


def test_utf8_bytes_declared_gb2312(site_url):
    r = fetch(site_url("xishan"))
    text = r.body.decode("utf-8")
    assert 'content="text/html; charset=gb2312"' in text and "西山县人民政府" in text
    assert "西山县人民政府" not in r.body.decode("gb2312", errors="replace")


def test_gbk_bytes_declared_utf8(site_url):
    r = fetch(site_url("nanling"))
    assert b'<meta charset="utf-8">' in r.body
    with pytest.raises(UnicodeDecodeError):
        r.body.decode("utf-8")
    assert "南岭县人民政府" in r.body.decode("gbk")


def test_no_declared_charset_but_header(site_url):
    r = fetch(site_url("edu"), timeout=5)
    assert b"charset" not in r.body[:600]
    assert r.headers["content-type"] == "text/html; charset=utf-8"


def test_every_date_format_appears(site_url, small):
    sp = small.site("portal").sitepath
    portal = fetch(site_url("portal")).text()
    assert re.search(r'<span class="time">\s*09-30\s*</span>', portal)  # MM-DD, newest item today
    donghu = fetch(site_url("donghu")).body.decode("gbk")
    assert "<span>[09-30]</span>" in donghu  # [MM-DD] on the homepage
    donghu_list = fetch(site_url("donghu", "/col/zwyw/index.html")).body.decode("gbk")
    assert "<span>2026年9月30日</span>" in donghu_list  # YYYY年M月D日
    xishan = fetch(site_url("xishan")).text()
    assert re.search(r"<span>2026/09/30 \d\d:\d\d</span>", xishan)  # YYYY/MM/DD HH:mm
    portal_list = fetch(site_url("portal", f"/{sp}/zwyw/list.shtml")).text()
    assert re.search(r'<span class="time">\s*2026-09-30\s*</span>', portal_list)  # YYYY-MM-DD


def test_stale_homepage_shows_only_old_items(site_url, small):
    # nanling: homepage frozen 14 days (MM-DD, Jiangxi); edu: 13 days (YYYY-MM-DD, TRS)
    text = fetch(site_url("nanling")).body.decode("gbk")
    shown = re.findall(r'<span class="time">\s*(\d\d-\d\d)\s*</span>', text)
    assert shown and max(shown) == day(14).strftime("%m-%d")
    text = fetch(site_url("edu"), timeout=5).text()
    shown = re.findall(r"<span>(\d{4}-\d\d-\d\d)</span>", text)
    assert shown and max(shown) == day(13).isoformat()
    # the columns themselves are fresh
    sp = small.site("nanling").sitepath
    col = fetch(site_url("nanling", f"/{sp}/zwyw/list.shtml")).body.decode("gbk")
    assert max(re.findall(r'<span class="time">\s*(\d{4}-\d\d-\d\d)', col)) == day(0).isoformat()


def test_navigation_only_homepage(site_url, small):
    sp = small.site("housing").sitepath
    text = fetch(site_url("housing")).text()
    assert 'class="time"' not in text and not re.search(r"[0-9a-f]{32}\.shtml", text)
    assert f"/{sp}/gzdt/list.shtml" in text
    col = fetch(site_url("housing", f"/{sp}/gzdt/list.shtml")).text()
    assert max(re.findall(r'<span class="time">\s*(\d{4}-\d\d-\d\d)', col)) == day(1).isoformat()


def test_stale_columns_newest_dates(site_url):
    home = fetch(site_url("finance")).body.decode("gbk")
    cols = dict((name, href) for href, name in re.findall(r'<a href="(/col/col\d+/index\.html)" target="_self">([^<]+)</a>',
                                                          home))
    expected = {"工作动态": f"[{day(15):%m-%d}]", "财政动态": f"[{day(14):%m-%d}]", "新闻发布": f"[{day(30):%m-%d}]",
                "业务动态": day(13).isoformat(), "通知公告": f"[{day(200):%m-%d}]", "政策文件": f"[{day(183):%m-%d}]"}
    for name, newest in expected.items():
        text = fetch(site_url("finance", cols[name])).body.decode("gbk")
        first = re.search(r"<li><a [^>]+>[^<]+</a><span>([^<]+)</span></li>", text)
        assert first and first.group(1) == newest, name


def test_undated_items_and_missing_pubdate_meta(site_url):
    home = fetch(site_url("finance")).body.decode("gbk")
    cols = dict((name, href) for href, name in re.findall(r'<a href="(/col/col\d+/index\.html)" target="_self">([^<]+)</a>',
                                                          home))
    undated = fetch(site_url("finance", cols["财政数据"])).body.decode("gbk")
    items = re.findall(r"<record><!\[CDATA\[\s*(<li>.*?</li>)", undated, re.S)
    assert items and all("<span>" not in li for li in items)
    art = re.search(r'href="(/art/[^"]+)"', items[0]).group(1)
    assert "PubDate" in metas(fetch(site_url("finance", art)).body.decode("gbk"))
    nometa = fetch(site_url("finance", cols["预决算公开"])).body.decode("gbk")
    art = re.search(r'href="(/art/[^"]+)"', nometa).group(1)
    page = fetch(site_url("finance", art)).body.decode("gbk")
    assert "PubDate" not in metas(page) and "发布日期：" in page


def test_letters_list_with_overdue_letters(site_url):
    home = fetch(site_url("finance")).body.decode("gbk")
    href = re.search(r'<a href="(/col/col\d+/index\.html)" target="_self">局长信箱</a>', home).group(1)
    rows = []
    page = site_url("finance", href)
    for _ in range(5):
        text = fetch(page).body.decode("gbk")
        assert "<th>标题</th><th>留言时间</th><th>回复时间</th><th>状态</th>" in text
        rows += re.findall(r'<td class="ask-time">([^<]*)</td><td class="reply-time">([^<]*)</td>'
                           r'<td class="status">([^<]*)</td>', text)
        nxt = re.search(r'<a href="([^"]+pageNum=\d+)">下页</a>', text)
        if not nxt:
            break
        page = site_url("finance", nxt.group(1).replace("&amp;", "&"))
    assert len(rows) == 27
    table = {ask: (reply, status) for ask, reply, status in rows}
    assert table[day(120).isoformat()] == ("", "办理中")
    assert table[day(30).isoformat()] == ("", "办理中")
    assert table[day(200).isoformat()] == ((day(200) + timedelta(days=100)).isoformat(), "已回复")
    assert all(status == "已回复" and reply for ask, (reply, status) in table.items()
               if ask not in (day(120).isoformat(), day(30).isoformat(), day(2).isoformat()))


def test_robots_images_and_attachments(site_url, small):
    for key in ("portal", "donghu", "xishan"):
        r = fetch(site_url(key, "/robots.txt"))
        assert r.status == 200 and r.body.startswith(b"User-agent: *")
    sp = small.site("portal").sitepath
    assert fetch(site_url("portal", f"/{sp}/xhtml/images/home_logo.png")).headers["content-type"] == "image/png"
    # the newest article of 政务要闻 carries an image; item 1 an attachment
    text = fetch(site_url("portal", f"/{sp}/zwyw/list.shtml")).text()
    arts = re.findall(rf"/{sp}/zwyw/\d{{6}}/[0-9a-f]{{32}}\.shtml", text)
    a0 = fetch(site_url("portal", arts[0])).text()
    img = re.search(r'<img src="([^"]+\.jpg)"', a0).group(1)
    assert fetch(site_url("portal", img)).status == 200
    a1 = fetch(site_url("portal", arts[1])).text()
    att = re.search(r'<a href="([^"]+\.(pdf|doc))">', a1)
    r = fetch(site_url("portal", att.group(1)))
    assert r.status == 200 and r.headers["content-type"] in ("application/pdf", "application/msword")


def test_unknown_paths_are_404(site_url):
    for key, path in (("donghu", "/col/nosuch/index.html"), ("xishan", "/art/2026/9/30/art_1_2.html"),
                      ("portal", "/nothing/here.shtml")):
        assert fetch(site_url(key, path)).status == 404


def test_level2_columns_are_linked_from_their_parent(site_url):
    home = fetch(site_url("finance")).body.decode("gbk")
    assert "财政法规" not in home  # not in the top navigation
    cols = dict((name, href) for href, name in re.findall(r'<a href="(/col/col\d+/index\.html)" target="_self">([^<]+)</a>',
                                                          home))
    parent = fetch(site_url("finance", cols["政策文件"])).body.decode("gbk")
    sub = re.search(r'<div class="sub-columns"><ul><li><a href="([^"]+)">财政法规</a>', parent).group(1)
    child = fetch(site_url("finance", sub)).body.decode("gbk")
    assert '<meta name="ColumnName" content="财政法规">' in child
    assert f'<li class="parent"><a href="{cols["政策文件"]}">政策文件</a></li>' in child
