"""Registry import against a real Postgres: all or nothing, idempotent, history kept."""

from __future__ import annotations

import subprocess
import sys

import openpyxl
import psycopg2
import pytest

from govmon.registry import RegistryImportError, import_registry

SITES_HEADER = "网站名称,网站标识码,首页网址,主办单位,行政区划代码,网站类型,运行状态"
SITES = [
    "鹰潭市人民政府,3606000001,http://www.yingtan.gov.cn/,鹰潭市人民政府办公室,360600,政府门户网站,运行",
    "鹰潭市教育局,3606000002,http://jyj.yingtan.gov.cn/,鹰潭市教育局,360600,部门网站,运行",
    "贵溪市人民政府,3606810001,http://www.guixi.gov.cn/,贵溪市人民政府办公室,360681,政府门户网站,运行",
]
ACCOUNTS_HEADER = "账号名称,平台,账号类型,账号标识,采集地址,填报单位,行政区划代码,运行状态"
ACCOUNTS = [
    "鹰潭发布,微信,订阅号,MzA5NzE2NTg0MQ==,,中共鹰潭市委宣传部,360600,运行",
    "鹰潭交警,微博,新浪微博,2113725781,,鹰潭市公安局交通警察支队,360600,运行",
    "贵溪发布,抖音,抖音短视频,,http://127.0.0.1:9/feeds/gx.xml,贵溪市融媒体中心,360681,运行",
]
REGIONS = "行政区划代码,名称\n360000,江西省\n360600,鹰潭市\n360681,贵溪市\n360602,月湖区\n"


def write(tmp_path, name, header, rows, encoding="utf-8-sig"):
    p = tmp_path / name
    p.write_bytes(("\n".join([header, *rows]) + "\n").encode(encoding))
    return p


def snapshot(url):
    """Everything the registry holds, as comparable data (ids and timestamps included)."""
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        out = {}
        for table in ("regions", "sites", "accounts", "changes"):
            cur.execute(f"select * from registry.{table} order by 1")
            out[table] = cur.fetchall()
        cur.execute("select count(*) from registry.imports")
        out["imports"] = cur.fetchone()[0]
        return out


def query(url, sql, *args):
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchall()


def test_import_then_reimport_changes_nothing(db_url, tmp_path):
    regions = tmp_path / "regions.csv"
    regions.write_text(REGIONS, encoding="utf-8")
    sites = write(tmp_path, "sites.csv", SITES_HEADER, SITES)
    accounts = write(tmp_path, "accounts.csv", ACCOUNTS_HEADER, ACCOUNTS, encoding="gb18030")

    first = import_registry(sites=sites, accounts=accounts, regions=regions, url=db_url)
    assert [(r.kind, r.inserted) for r in first.results] == [("regions", 4), ("sites", 3), ("accounts", 3)]
    before = snapshot(db_url)
    assert len(before["sites"]) == 3 and len(before["accounts"]) == 3

    again = import_registry(sites=sites, accounts=accounts, regions=regions, url=db_url)
    assert [(r.inserted, r.updated, r.unchanged, r.removed) for r in again.results] == [
        (0, 0, 4, 0), (0, 0, 3, 0), (0, 0, 3, 0)]
    after = snapshot(db_url)
    assert after.pop("imports") == before.pop("imports") + 3  # the audit log grows …
    assert after == before  # … and nothing else changes

    levels = dict(query(db_url, "select region_code, level from registry.regions"))
    assert levels == {"360000": "province", "360600": "prefecture", "360681": "county", "360602": "county"}
    assert query(db_url, "select parent_code from registry.regions where region_code = '360681'") == [("360600",)]


def test_same_content_in_every_format_gives_the_same_registry(make_db, tmp_path):
    """UTF-8, UTF-8+BOM, GB18030 and XLSX files of the same rows import to identical tables."""
    results = []
    for fmt in ("utf-8", "utf-8-sig", "gb18030", "xlsx"):
        url = make_db()
        if fmt == "xlsx":
            wb = openpyxl.Workbook()
            ws = wb.active
            ws.title = "网站"
            ws.append(SITES_HEADER.split(","))
            for row in SITES:
                ws.append(row.split(","))
            path = tmp_path / "sites.xlsx"
            wb.save(path)
        else:
            path = write(tmp_path, f"sites-{fmt}.csv", SITES_HEADER, SITES, encoding=fmt)
        import_registry(sites=path, url=url)
        results.append(query(url, "select site_code, name, url, organizer, region_code, kind, status, extra "
                                  "from registry.sites order by site_code"))
    assert all(r == results[0] for r in results)
    assert len(results[0]) == 3


BAD_CASES = [
    # (sites rows, accounts rows, expected problem lines)
    (["鹰潭市人民政府,36060000,http://a.gov.cn/,办公室,360600,,"], None,
     ["sites.csv:2: 网站标识码: 应为10位数字"]),
    ([",3606000001,http://a.gov.cn/,办公室,360600,,"], None, ["sites.csv:2: 网站名称: 必填项为空"]),
    (["A,3606000001,www.a.gov.cn,办公室,360600,,"], None, ["sites.csv:2: 首页网址: 须以 http:// 或 https:// 开头"]),
    (["A,3606000001,http://a.gov.cn/,,360600,,"], None, ["sites.csv:2: 主办单位: 必填项为空"]),
    (["A,3606000001,http://a.gov.cn/,办公室,36060,,"], None, ["sites.csv:2: 行政区划代码: 应为6位数字"]),
    (["A,3606000001,http://a.gov.cn/,办公室,360600,门户网站,"], None, ["sites.csv:2: 网站类型: 取值无效"]),
    (["A,3606000001,http://a.gov.cn/,办公室,360600,,停运"], None, ["sites.csv:2: 运行状态: 取值无效"]),
    (["A,3606000001,http://a.gov.cn/,办公室,360600,,", "B,3606000001,http://b.gov.cn/,办公室,360600,,"], None,
     ["sites.csv:3: 网站标识码: 与第2行重复"]),
    (["A,3606000001,http://a.gov.cn/,办公室,360600,,", "B,3606000002,http://A.gov.cn,办公室,360600,,"], None,
     ["sites.csv:3: 首页网址: 与第2行重复"]),
    (["A,3606000001,http://a.gov.cn/,办公室,360699,,"], None, ["sites.csv:2: 行政区划代码: “360699”不在行政区划表中"]),
    (None, ["鹰潭发布,微信公众号,订阅号,x1,,宣传部,360600,"], ["accounts.csv:2: 平台: 取值无效"]),
    (None, ["鹰潭发布,,订阅号,x1,,宣传部,360600,"], ["accounts.csv:2: 平台: 必填项为空"]),
    (None, ["鹰潭发布,微信,订阅号,x1,rss://feed,宣传部,360600,"], ["accounts.csv:2: 采集地址: 须以 http:// 或 https:// 开头"]),
    (None, ["鹰潭发布,微信,订阅号,x1,,宣传部,360600,", "鹰潭发布2,微信,订阅号,x1,,宣传部,360600,"],
     ["accounts.csv:3: 账号标识: 与第2行重复"]),
    (None, [",微博,,,,,360600,"], ["accounts.csv:2: 账号名称: 必填项为空", "accounts.csv:2: 填报单位: 必填项为空"]),
    # good sites, bad accounts: the sites must not be written either
    (SITES, ["鹰潭发布,微信,订阅号,x1,,宣传部,abc,"], ["accounts.csv:2: 行政区划代码: 应为6位数字"]),
]


@pytest.mark.parametrize("sites_rows,account_rows,expected", BAD_CASES)
def test_bad_rows_are_refused_and_nothing_is_written(db_url, tmp_path, sites_rows, account_rows, expected):
    regions = tmp_path / "regions.csv"
    regions.write_text(REGIONS, encoding="utf-8")
    import_registry(regions=regions, url=db_url)
    before = snapshot(db_url)
    sites = write(tmp_path, "sites.csv", SITES_HEADER, sites_rows) if sites_rows else None
    accounts = write(tmp_path, "accounts.csv", ACCOUNTS_HEADER, account_rows) if account_rows else None
    with pytest.raises(RegistryImportError) as err:
        import_registry(sites=sites, accounts=accounts, url=db_url)
    problems = [p.replace(str(tmp_path) + "/", "") for p in err.value.problems]
    for want in expected:
        assert any(p.startswith(want) for p in problems), (want, problems)
    assert len(problems) == len(expected), problems
    assert snapshot(db_url) == before


def test_every_bad_row_is_listed_in_row_order(db_url, tmp_path):
    rows = ["A,3606000001,http://a.gov.cn/,办公室,360600,,",
            "B,12,http://b.gov.cn/,办公室,360600,,",
            "C,3606000003,http://c.gov.cn/,,360600,,",
            "D,3606000001,http://d.gov.cn/,办公室,360600,,"]
    sites = write(tmp_path, "sites.csv", SITES_HEADER, rows)
    with pytest.raises(RegistryImportError) as err:
        import_registry(sites=sites, url=db_url)
    rows_named = [int(p.split(":")[1]) for p in err.value.problems]
    assert rows_named == [3, 4, 5]
    assert query(db_url, "select count(*) from registry.sites") == [(0,)]


def test_changed_file_updates_in_place_and_keeps_history(db_url, tmp_path):
    sites = write(tmp_path, "sites.csv", SITES_HEADER, SITES)
    import_registry(sites=sites, url=db_url)
    ids = dict(query(db_url, "select site_code, site_id from registry.sites"))

    changed = [SITES[0].replace("http://www.yingtan.gov.cn/", "https://www.yingtan.gov.cn/"),
               SITES[1].replace(",运行", ",关停")]  # third site dropped from the list
    res = import_registry(sites=write(tmp_path, "sites2.csv", SITES_HEADER, changed), url=db_url).results[0]
    assert (res.inserted, res.updated, res.unchanged, res.removed) == (0, 2, 0, 1)
    assert dict(query(db_url, "select site_code, site_id from registry.sites")) == ids  # same identities
    hist = query(db_url, "select entity_key, field, old_value, new_value from registry.changes "
                         "where field <> 'created' order by change_id")
    assert hist == [
        ("3606000001", "url", "http://www.yingtan.gov.cn/", "https://www.yingtan.gov.cn/"),
        ("3606000002", "status", "运行", "关停"),
        ("3606810001", "removed", None, None),
    ]
    inspected = [r[0] for r in query(db_url, "select site_code from registry.inspected_sites order by 1")]
    assert inspected == ["3606000001"]  # closed and removed sites are not inspected

    # listing the dropped site again restores it, same identity
    res = import_registry(sites=sites, url=db_url).results[0]
    assert res.updated == 3
    assert query(db_url, "select removed_at from registry.sites where site_code='3606810001'") == [(None,)]
    assert dict(query(db_url, "select site_code, site_id from registry.sites")) == ids


def test_renamed_account_keeps_its_identity_and_rename_history(db_url, tmp_path):
    import_registry(accounts=write(tmp_path, "a1.csv", ACCOUNTS_HEADER, ACCOUNTS), url=db_url)
    ids = dict(query(db_url, "select identity_key, account_id from registry.accounts"))
    renamed = [ACCOUNTS[0].replace("鹰潭发布,", "鹰潭发布厅,"), ACCOUNTS[1], ACCOUNTS[2].replace("贵溪发布,", "贵溪融媒,")]
    res = import_registry(accounts=write(tmp_path, "a2.csv", ACCOUNTS_HEADER, renamed), url=db_url).results[0]
    assert (res.inserted, res.updated, res.unchanged) == (0, 2, 1)
    assert dict(query(db_url, "select identity_key, account_id from registry.accounts")) == ids
    renames = query(db_url, "select platform, old_name, new_name from registry.account_renames order by change_id")
    assert renames == [("微信", "鹰潭发布", "鹰潭发布厅"), ("抖音", "贵溪发布", "贵溪融媒")]


def test_account_id_filled_in_later_keeps_the_account(db_url, tmp_path):
    no_id = ["鹰潭发布,微信,订阅号,,,中共鹰潭市委宣传部,360600,运行"]
    import_registry(accounts=write(tmp_path, "a1.csv", ACCOUNTS_HEADER, no_id), url=db_url)
    (account_id,), = query(db_url, "select account_id from registry.accounts")
    with_id = ["鹰潭发布,微信,订阅号,MzA5NzE2NTg0MQ==,,中共鹰潭市委宣传部,360600,运行"]
    import_registry(accounts=write(tmp_path, "a2.csv", ACCOUNTS_HEADER, with_id), url=db_url)
    rows = query(db_url, "select account_id, identity_key, platform_account_id, removed_at from registry.accounts")
    assert rows == [(account_id, "微信:id:MzA5NzE2NTg0MQ==", "MzA5NzE2NTg0MQ==", None)]


def test_cli_prints_problems_and_exits_nonzero(db_url, tmp_path):
    bad = write(tmp_path, "sites.csv", SITES_HEADER, ["A,3606000001,http://a.gov.cn/,办公室,3606,,"])
    proc = subprocess.run([sys.executable, "-m", "govmon", "registry", "import", "--sites", str(bad)],
                          capture_output=True, text=True, env={**_env(), "GOVMON_DATABASE_URL": db_url})
    assert proc.returncode == 2
    assert f"{bad}:2: 行政区划代码: 应为6位数字，实为“3606”" in proc.stderr
    assert "未写入任何数据" in proc.stderr
    good = write(tmp_path, "good.csv", SITES_HEADER, SITES)
    proc = subprocess.run([sys.executable, "-m", "govmon", "registry", "import", "--sites", str(good)],
                          capture_output=True, text=True, env={**_env(), "GOVMON_DATABASE_URL": db_url})
    assert proc.returncode == 0, proc.stderr
    assert "3 行，新增 3" in proc.stdout


def _env():
    import os

    return dict(os.environ)
