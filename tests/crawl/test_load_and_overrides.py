"""COPY spooling (escaping, idempotent per run) and the per-site overrides file."""

from __future__ import annotations

import datetime as dt

import psycopg2
import pytest

from govmon.crawl.load import RawSpool, copy_value
from govmon.crawl.overrides import OverridesError, load_overrides


def test_copy_values():
    assert copy_value(None) == "\\N"
    assert copy_value("a\tb\nc\\d\r") == "a\\tb\\nc\\\\d\\r"
    assert copy_value(True) == "t" and copy_value(3) == "3"
    assert copy_value(b"\x00\xff") == "\\\\x00ff"
    assert copy_value(["pages", 'a"b']) == '{"pages","a\\\\"b"}'
    assert copy_value(dt.date(2026, 9, 30)) == "2026-09-30"


def _rows(url, sql, params=()):
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def test_spool_loads_idempotently_per_run_and_site(db_url, tmp_path):
    from tests.crawl.synth import World

    w = World(db_url)
    site, other = w.site(), w.site()
    run = w.crawl(other)          # a run that already holds another site's rows
    w.close()
    now = dt.datetime(2026, 9, 30, 10, tzinfo=dt.timezone.utc)

    def spool_once():
        sp = RawSpool(tmp_path / "spool", buffer_rows=2)
        sp.add("gov_site__faults", {"crawl_run_id": run, "site_id": site, "url": "http://h/\t换行\n",
                                    "fault_class": "trap", "detail": "翻页陷阱\\x", "occurred_at": now})
        for i in range(5):
            sp.add("gov_site__pages", {"crawl_run_id": run, "site_id": site, "url": f"http://h/{i}", "kind": "column",
                                       "fetched_at": now, "title": f"标题{i}"})
        sp.add("gov_site__snapshots", {"crawl_run_id": run, "site_id": site, "url": "http://h/", "fetched_at": now,
                                       "sha256": "x", "raw_bytes": 3, "body_zlib": b"\x00\x01\xff"})
        sp.add("gov_site__site_crawls", {"crawl_run_id": run, "site_id": site, "homepage_url": "http://h/",
                                         "started_at": now, "finished_at": now, "outcome": "ok", "spider": "gov_site",
                                         "pages_fetched": 1, "links_checked": 0, "faults": 1,
                                         "budget_hit": ["links", "time"]})
        conn = psycopg2.connect(db_url)
        try:
            counts = sp.load(conn, run)
        finally:
            conn.close()
            sp.cleanup()
        return counts

    assert spool_once()["gov_site__pages"] == 5
    spool_once()   # a retried shard: same rows, not doubled
    assert _rows(db_url, "select count(*) from raw.gov_site__pages where crawl_run_id = %s", (run,)) == [(5,)]
    assert _rows(db_url, "select url, detail from raw.gov_site__faults") == [("http://h/\t换行\n", "翻页陷阱\\x")]
    assert _rows(db_url, "select body_zlib from raw.gov_site__snapshots")[0][0].tobytes() == b"\x00\x01\xff"
    assert _rows(db_url, "select site_id, budget_hit from raw.gov_site__site_crawls where crawl_run_id = %s "
                         "order by site_id", (run,)) == [(site, ["links", "time"]), (other, [])]


def test_overrides_file(tmp_path, monkeypatch):
    f = tmp_path / "o.yaml"
    f.write_text('sites:\n  "3699000003":\n    columns:\n      - {url: /col/col1/index.html, type: policy}\n'
                 "      - {name: 活动日历, ignore: true}\n    page_budget: 800\n    obey_robots: false\n",
                 encoding="utf-8")
    got = load_overrides(f)
    assert got["3699000003"]["page_budget"] == 800 and got["3699000003"]["columns"][1]["ignore"] is True
    monkeypatch.setenv("GOVMON_SITE_OVERRIDES", str(tmp_path / "absent.yaml"))
    assert load_overrides() == {}


@pytest.mark.parametrize("body,problem", [
    ('sites:\n  "12345":\n    page_budget: 1\n', "网站标识码应为10位数字"),
    ('sites:\n  "3699000003":\n    speed: 1\n', "sites.3699000003.speed: 未知的键"),
    ('sites:\n  "3699000003":\n    columns:\n      - {name: 工作动态, type: news}\n', "type: 取值无效"),
    ('sites:\n  "3699000003":\n    columns:\n      - {type: notice}\n', "须给出 url 或 name"),
    ('sites:\n  "3699000003":\n    page_budget: -5\n', "page_budget: 应为正数"),
    ("other: 1\n", "顶层应只有 sites"),
    ("sites: [1\n", "无法读取"),
])
def test_bad_overrides_are_listed(tmp_path, body, problem):
    f = tmp_path / "o.yaml"
    f.write_text(body, encoding="utf-8")
    with pytest.raises(OverridesError) as exc:
        load_overrides(f)
    assert any(problem in p for p in exc.value.problems), exc.value.problems


def test_the_shipped_overrides_file_is_valid():
    from govmon import config

    assert load_overrides(config.PROJECT_ROOT / "config" / "site_overrides.yaml") == {}
