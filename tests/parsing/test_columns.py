"""Column typing from names, meta ColumnType and titles; column-link shapes; letters and calendars."""

from __future__ import annotations

import pytest

from govmon.parsing.columns import ColumnShapes, classify_column, is_calendar, is_letters_name, month_in_url


@pytest.mark.parametrize("name,want", [
    ("政务要闻", "dynamic_news"), ("工作动态", "dynamic_news"), ("部门动态", "dynamic_news"), ("要闻", "dynamic_news"),
    ("新闻动态", "dynamic_news"), ("县市区动态", "dynamic_news"), ("图片新闻", "dynamic_news"),
    ("通知公告", "notice"), ("公示公告", "notice"), ("通告", "notice"),
    ("政策文件", "policy"), ("财政法规", "policy"), ("规范性文件", "policy"), ("政策解读", "policy"),
    ("人事信息", "personnel"), ("人事任免", "personnel"), ("招录信息", "personnel"), ("干部公示", "personnel"),
    ("规划计划", "plan"), ("年度计划", "plan"), ("发展规划", "plan"), ("工作总结", "plan"),
    ("领导信箱", "interaction"), ("在线访谈", "interaction"), ("民意征集", "interaction"),
    ("办事指南", "service"), ("政务服务", "service"),
    ("机构概况", "other"), ("机构职能", "other"), ("预决算公开", "other"), ("往期回顾", "other"), ("专题专栏", "other"),
])
def test_types_from_names(name, want):
    assert classify_column(name) == (want, "name" if want != "other" else "default")


def test_meta_column_type_wins_over_the_name_and_an_override_over_both():
    assert classify_column("新闻发布会", meta_type="其他") == ("other", "meta_type")
    assert classify_column("统计公报", meta_type="规划计划") == ("plan", "meta_type")
    # a ColumnType naming nothing known falls back to the name
    assert classify_column("工作动态", meta_type="统计数据") == ("dynamic_news", "name")
    assert classify_column("工作动态", meta_type="动态要闻", override="policy") == ("policy", "override")
    with pytest.raises(ValueError):
        classify_column("x", override="news")


def test_meta_name_then_title():
    assert classify_column(None, meta_name="通知公告") == ("notice", "meta_name")
    assert classify_column(None, title="政策文件_鹰川市人民政府") == ("policy", "title")
    assert classify_column(None, title="鹰川市人民政府") == ("other", "default")


@pytest.mark.parametrize("name,want", [
    ("领导信箱", True), ("局长信箱", True), ("网上咨询", True), ("建言献策", True), ("留言板", True),
    ("网上信访", False), ("纪检举报", False), ("在线访谈", False), ("调查征集", False), ("通知公告", False), (None, False),
])
def test_letters_channels(name, want):
    assert is_letters_name(name) is want


def test_calendars():
    assert is_calendar("活动日历", "http://h/calendar/2026-09.html")
    assert is_calendar(None, "http://h/x.html") is False
    assert month_in_url("http://h/sp/hdrl/2026-10.shtml") and month_in_url("http://h/cal?month=202610")
    assert not month_in_url("http://h/col/col1500003/index.html")
    assert not month_in_url("http://h/col/zwyw/202609/t20260930_1000012.html".replace("202609/", "x/"))


def test_column_shapes_learn_from_the_navigation():
    trs = ColumnShapes([f"http://h/col/{k}/index.html" for k in ("zwyw", "bmdt", "tzgg")])
    assert trs.matches("http://h/col/zcfg/index.html")
    assert not trs.matches("http://h/col/zcfg/202609/t20260930_1.html")
    assert not trs.matches("http://other/col/zcfg/index.html")
    hanweb = ColumnShapes(["http://h/col/col1500003/index.html", "http://h/col/col1500004/index.html"])
    assert hanweb.matches("http://h/col/col1500006/index.html")
    assert not hanweb.matches("http://h/art/2026/9/30/art_1500003_1.html")
    jx = ColumnShapes(["http://h/ycs/zwyw/list.shtml", "http://h/ycs/tzgg/list.shtml"])
    assert jx.matches("http://h/ycs/zcfg/list.shtml") and not jx.matches("http://h/ycs/zwyw/list_2.shtml")
