"""``govmon probe import``: other monitors' logs, all or nothing, idempotent, partitioned by month."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import psycopg2
import pytest
from probe_helpers import TZ, import_sites, log_rows, write_log

from govmon import config
from govmon.probe.importer import ProbeImportError, import_probe_log, normalize_url, parse_ts

SITES = [("鹰川市甲局", "3699000101", "http://127.10.1.1:18080/"), ("鹰川市乙局", "3699000102", "https://www.yc.gov.cn/")]
A, B = SITES[0][1], SITES[1][1]


def _state(url):
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("select (select count(*) from raw.probe__probes), (select count(*) from raw.probe__rounds),"
                    " (select count(*) from raw.probe__imports)")
        return cur.fetchone()


def _govmon(*args, url):
    return subprocess.run([sys.executable, "-m", "govmon", *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "GOVMON_DATABASE_URL": url}, cwd=config.PROJECT_ROOT)


def test_bad_rows_are_all_listed_and_nothing_is_written(db_url, tmp_path):
    import_sites(db_url, tmp_path, SITES)
    good = log_rows(A, dt.date(2026, 9, 23), 3)
    bad = [[A, "2026-13-45 10:00", "1", "200", "100", ""],
           [A, "2026-09-23 10:00", "maybe", "200", "100", ""],
           [A, "2026-09-23 10:01", "0", "abc", "100", ""],
           [A, "2026-09-23 10:02", "0", "", "-5", "超时"],
           ["", "2026-09-23 10:03", "0", "", "", "超时"],
           [A, "2026-09-23 10:04", "1", "503", "20", ""],
           [A, "", "1", "200", "20", ""]]
    path = write_log(tmp_path / "vendor.csv", good + bad)
    with pytest.raises(ProbeImportError) as err:
        import_probe_log(path, url=db_url)
    assert err.value.problems == [
        "vendor.csv:5: ts: 无法识别的时间“2026-13-45 10:00”（应如 2026-09-23 10:00:00 或 2026-09-23T10:00:00+08:00）",
        "vendor.csv:6: ok: 应为 1/0、true/false、是/否 或 成功/失败，实为“maybe”",
        "vendor.csv:7: status: 应为HTTP 状态码，实为“abc”",
        "vendor.csv:8: latency_ms: 毫秒数超出范围（0–86400000）：“-5”",
        "vendor.csv:9: site_code: 必填项为空（url 或 site_code）",
        "vendor.csv:10: ok: 标为成功，但状态码为 503，前后矛盾",
        "vendor.csv:11: ts: 必填项为空",
    ]
    assert _state(db_url) == (0, 0, 0)
    proc = _govmon("probe", "import", str(path), url=db_url)
    assert proc.returncode == 2 and proc.stdout == ""
    assert "vendor.csv:5: ts:" in proc.stderr and "导入失败：共 7 处错误，未写入任何数据。" in proc.stderr
    assert _state(db_url) == (0, 0, 0)

    write_log(tmp_path / "nohead.csv", good, headers=("site_code", "time_of_probe", "ok"))
    with pytest.raises(ProbeImportError, match="表头: 缺少列 ts"):
        import_probe_log(tmp_path / "nohead.csv", url=db_url)


def test_importing_the_same_file_twice_changes_nothing(db_url, tmp_path):
    import_sites(db_url, tmp_path, SITES)
    rows = log_rows(A, dt.date(2026, 9, 23), 40, 2) + log_rows(B, dt.date(2026, 9, 23), 40)
    path = write_log(tmp_path / "week.csv", rows)
    first = _govmon("probe", "import", str(path), url=db_url)
    assert first.returncode == 0, first.stderr
    assert "week.csv：80 行，新增 80（2 个网站，2026-09-23 00:00 至 2026-09-23 23:24，其中失败 2），已导入过 0" in first.stdout
    state = _state(db_url)
    assert state == (80, 1, 1)
    again = _govmon("probe", "import", str(path), url=db_url)
    assert again.returncode == 0 and "无新记录" in again.stdout
    assert _state(db_url) == state
    # an overlapping export (a day later, 09-23 again plus 09-24): only the new day is added
    later = write_log(tmp_path / "later.csv", rows + log_rows(A, dt.date(2026, 9, 24), 40))
    res = import_probe_log(later, url=db_url)
    assert (res.rows, res.inserted, res.duplicates) == (120, 40, 80)
    assert _state(db_url) == (120, 2, 2)


def test_urls_headers_encodings_and_unknown_sites(db_url, tmp_path):
    ids = import_sites(db_url, tmp_path, SITES)
    # a GB18030 file with Chinese headers, URLs instead of codes (written differently), Beijing times
    rows = [["HTTP://127.10.1.1:18080", "2026/9/23 9:05:00", "成功", "200", "88", ""],
            ["https://WWW.YC.GOV.CN:443/", "2026年9月23日 10:00:00", "失败", "", "15000", "请求超时"],
            ["http://www.other.gov.cn/", "2026-09-23 10:00:00", "1", "200", "50", ""],
            ["http://www.other.gov.cn/", "2026-09-23 10:30:00", "1", "200", "50", ""]]
    path = write_log(tmp_path / "监测日志.csv", rows, headers=("首页网址", "探测时间", "是否成功", "状态码", "响应时间", "错误信息"),
                     encoding="gb18030")
    res = import_probe_log(path, url=db_url)
    assert (res.rows, res.inserted, res.unmatched, res.unmatched_examples) == (4, 2, 2, ["http://www.other.gov.cn/"])
    assert "名录中没有的网站 2 行未导入" in res.summary()
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("select site_id, probed_at, ok, error_class, error_detail, latency_ms from raw.probe__probes "
                    "order by probed_at")
        assert cur.fetchall() == [
            (ids[A], dt.datetime(2026, 9, 23, 9, 5, tzinfo=TZ), True, None, None, 88),
            (ids[B], dt.datetime(2026, 9, 23, 10, 0, tzinfo=TZ), False, "timeout", "请求超时", 15000)]
    # nothing in the file is a registry site: refused, nothing written
    only_unknown = write_log(tmp_path / "other.csv", [["bm99999999", "2026-09-23 10:00", "1", "200", "5", ""]])
    with pytest.raises(ProbeImportError, match="均不是名录中的网站"):
        import_probe_log(only_unknown, url=db_url)


def test_xlsx_logs(db_url, tmp_path):
    import openpyxl

    ids = import_sites(db_url, tmp_path, SITES)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["site_code", "ts", "ok", "status", "latency_ms", "error"])
    ws.append([A, dt.datetime(2026, 9, 23, 8, 0), 0, 502, 31, None])  # a real date cell, as Excel keeps it
    ws.append([B, "2026-09-23T08:00:00+08:00", 1, 200, 40, None])
    wb.save(tmp_path / "log.xlsx")
    res = import_probe_log(tmp_path / "log.xlsx", url=db_url)
    assert res.inserted == 2
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("select site_id, error_class, status_code from raw.probe__probes order by site_id")
        assert cur.fetchall() == [(ids[A], "http_5xx", 502), (ids[B], None, 200)]


def test_probes_land_in_month_partitions_of_beijing_months(db_url, tmp_path):
    import_sites(db_url, tmp_path, SITES)
    rows = [[A, "2026-09-30T23:30:00+08:00", "1", "200", "5", ""],
            [A, "2026-09-30T16:30:00Z", "1", "200", "5", ""],          # = 10-01 00:30 in Beijing
            [A, "2026-11-02T08:00:00+08:00", "1", "200", "5", ""]]
    import_probe_log(write_log(tmp_path / "m.csv", rows), url=db_url)
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("select tableoid::regclass::text, count(*) from raw.probe__probes group by 1 order by 1")
        assert cur.fetchall() == [("raw.probe__probes_2026_09", 1), ("raw.probe__probes_2026_10", 1),
                                  ("raw.probe__probes_2026_11", 1)]
        cur.execute("select raw.ensure_probe_partitions('2026-09-01', '2026-11-30')")  # all there: none created
        assert cur.fetchone()[0] == 0


@pytest.mark.parametrize("raw,expected", [
    ("2026-09-23 10:00:00", dt.datetime(2026, 9, 23, 10, tzinfo=TZ)),
    ("2026-09-23T10:00:00+08:00", dt.datetime(2026, 9, 23, 10, tzinfo=TZ)),
    ("2026-09-23T02:00:00Z", dt.datetime(2026, 9, 23, 10, tzinfo=TZ)),
    ("2026/9/3 9:05", dt.datetime(2026, 9, 3, 9, 5, tzinfo=TZ)),
    ("2026年9月23日 10:00:00", dt.datetime(2026, 9, 23, 10, tzinfo=TZ)),
])
def test_parse_ts(raw, expected):
    assert parse_ts(raw) == expected


def test_normalize_url():
    assert normalize_url("HTTP://WWW.X.GOV.CN:80") == "http://www.x.gov.cn/"
    assert normalize_url("https://www.x.gov.cn:8443/index.html?a=1#top") == "https://www.x.gov.cn:8443/index.html?a=1"
