"""The parsers on every real government page in ../shared/realdata/gov (read in place, skipped when
absent). A page added there without expectations here fails the test: every real page is checked."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from govmon.parsing.columns import classify_column
from govmon.parsing.dates import article_date
from govmon.parsing.encoding import decode_html
from govmon.parsing.footer import parse_identity
from govmon.parsing.html import Page
from govmon.parsing.listing import extract_list
from govmon.parsing.navigation import parse_homepage

GOV = Path(__file__).resolve().parents[3] / "shared" / "realdata" / "gov"
FILES = sorted(p.name for p in GOV.glob("*.html")) if GOV.is_dir() else []

EXPECT = {
    "govcn_article_2007.html": dict(
        url="https://www.gov.cn/gongbao/content/2007/content_711039.htm", encoding="utf-8",
        article=(dt.date(2007, 8, 20), "meta:firstpublishedtime"),
        identity=("bm01000001", None, "京ICP备05070218号", "京公网安备11010202000001号", "国务院办公厅")),
    "hanweb_zj_fgw_article.html": dict(
        url="http://fzggw.zj.gov.cn/art/2016/11/22/art_1599544_1.html", encoding="utf-8",
        article=(dt.date(2016, 11, 22), "meta:pubdate"), time=(9, 53),
        identity=("3300000020", None, "浙ICP备05018911号", "浙公网安备33010602009328号", None),
        column=("投资运行", "other")),
    "jiangxi_wanzai_article.html": dict(
        url="http://www.wanzai.gov.cn/wzxrmzf/tjsja/202305/7215380191c5400397df5d7d0b5fd06b.shtml",
        encoding="utf-8", article=(dt.date(2023, 8, 16), "meta:pubdate"), time=(10, 33),
        identity=("3609220011", "3609220011", "赣ICP备11002306号-1", "赣公网安备36092202000105号", "万载县人民政府"),
        column=("统计数据", "other")),
    "jiangxi_yichun_homepage.html": dict(
        url="http://www.yichun.gov.cn/", encoding="utf-8", article=None,
        identity=("3609000002", "3609000002", "赣ICP备06000141号", "赣公网安备36090202000004号", "宜春市人民政府"),
        homepage=dict(ref=dt.date(2023, 10, 11), nav=["市政府", "政务公开", "政务服务", "互动交流", "数据开放", "走进宜春"],
                      blocks={"政务要闻": "http://www.yichun.gov.cn/ycsrmzf/zwyw/list.shtml",
                              "县市区动态": "http://www.yichun.gov.cn/ycsrmzf/xsqdt/list.shtml",
                              "部门信息": "http://www.yichun.gov.cn/ycsrmzf/bmxx/list.shtml"},
                      newest=dt.date(2023, 10, 11), min_dated=30)),
    "nongov_announcement_list.html": dict(
        url="http://www.rtfund.com/main/xxpl/index.shtml", encoding="utf-8", declared="gb18030", article=None,
        identity=(None, None, "粤ICP备11027090号", None, None),
        listing=dict(ref=dt.date(2020, 7, 10), count=15, first=dt.date(2020, 7, 9), last=dt.date(2020, 7, 6),
                     first_url="http://www.rtfund.com/main/a/20200709/12323944.shtml")),
}


def test_every_real_page_has_expectations(shared_dir):
    assert FILES, "no pages in realdata/gov"
    assert sorted(EXPECT) == FILES


@pytest.mark.parametrize("name", FILES or ["(absent)"])
def test_real_page(shared_dir, name):
    want = EXPECT[name]
    raw = (GOV / name).read_bytes()
    d = decode_html(raw)
    assert d.encoding == want["encoding"] and not d.lossy
    if "declared" in want:
        assert d.declared == want["declared"] and d.mismatch
    page = Page(want["url"], d.text)
    assert page.parse_error is None and page.title
    # article date: meta PubDate first, never the page-generation time (<meta name="others">)
    got = article_date(page.metas, page.body_text)
    if want["article"] is None:
        assert got is None
    else:
        assert (got.date, got.source) == want["article"]
        if "time" in want:
            assert (got.at.hour, got.at.minute) == want["time"]
    ident = parse_identity(page)
    assert (ident.site_code, ident.meta_site_code, ident.icp, ident.police, ident.organizer) == want["identity"]
    if "column" in want:
        name_meta, typ = want["column"]
        assert page.metas.get("columnname") == name_meta
        assert classify_column(None, page.metas.get("columntype"), page.metas.get("columnname"))[0] == typ
    if "homepage" in want:
        h = want["homepage"]
        hp = parse_homepage(page, h["ref"])
        assert [n.name for n in hp.nav] == h["nav"]
        blocks = {b.name: b.url for b in hp.blocks}
        assert {k: blocks.get(k) for k in h["blocks"]} == h["blocks"]
        assert not hp.navigation_only
        assert len(hp.dated_items) >= h["min_dated"]
        assert max(i.date for i in hp.dated_items) == h["newest"]
        assert all(i.date <= h["ref"] for i in hp.dated_items)
    if "listing" in want:
        lst = want["listing"]
        r = extract_list(page, lst["ref"])
        assert len(r.items) == lst["count"] == len(r.dated)
        assert (r.items[0].date, r.items[-1].date, r.items[0].url) == (lst["first"], lst["last"], lst["first_url"])
        assert r.next_url is None   # the pager is JavaScript only: no page 2 to follow
