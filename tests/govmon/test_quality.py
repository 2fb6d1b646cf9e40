"""The Great Expectations gate: real GX validations against the real Postgres."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import psycopg2
import pytest

from govmon.quality import load_suites, run_gate
from govmon.quarters import TZ

AS_OF = dt.datetime(2026, 9, 30, 23, 59, tzinfo=TZ)


def test_committed_suites_load_without_losing_expectations():
    import great_expectations as gx

    suites = load_suites()
    assert suites, "no suites in expectations/"
    for spec in suites:
        suite = gx.ExpectationSuite(name=spec["name"], expectations=spec["expectations"])
        assert len(suite.expectations) == len(spec["expectations"]), spec["name"]  # GX drops invalid ones silently
        for e in spec["expectations"]:
            assert e["meta"].get("why"), f"{spec['name']}: {e['type']} needs a meta.why"


def _suite(directory, name, expectations, query=None):
    schema, rel = name.split(".")
    (directory / schema).mkdir(parents=True, exist_ok=True)
    (directory / schema / f"{rel}.json").write_text(json.dumps(
        {"name": name, "expectations": expectations, "meta": {"query": query} if query else {}}, ensure_ascii=False))


def test_gate_blocks_on_injected_bad_rows(db_url, tmp_path):
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("create table raw.obs (site_code text, observed_at timestamptz)")
        cur.execute("insert into raw.obs values ('3606000001', '2026-09-29'), ('3606000001', '2026-09-29'), "
                    "('36060', '2026-09-28'), ('3606000002', '2027-01-01')")
    suites = tmp_path / "exp"
    _suite(suites, "raw.obs", [
        {"type": "expect_column_values_to_match_regex", "kwargs": {"column": "site_code", "regex": "^[0-9]{10}$"},
         "meta": {"why": "codes well-formed", "blocking": True}},
        {"type": "expect_compound_columns_to_be_unique", "kwargs": {"column_list": ["site_code", "observed_at"]},
         "meta": {"why": "no duplicate observations", "blocking": False}},
    ])
    _suite(suites, "raw.obs_future", [
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "n", "max_value": 0},
         "meta": {"why": "no observation after the 监测时间点", "blocking": True}},
    ], query="select count(*) as n from raw.obs where observed_at > {as_of}")
    docs = tmp_path / "docs"
    gate = run_gate(as_of=AS_OF, url=db_url, directory=suites, docs_dir=docs)
    assert not gate.success
    failed = {(o.suite, o.type): o for o in gate.outcomes if not o.success}
    regex = failed[("raw.obs", "expect_column_values_to_match_regex")]
    assert regex.blocking and regex.unexpected_count == 1 and regex.examples == ["36060"]
    assert not failed[("raw.obs", "expect_compound_columns_to_be_unique")].blocking
    assert failed[("raw.obs_future", "expect_column_values_to_be_between")].examples == [1]
    text = "\n".join(gate.summary())
    assert "质量闸门未通过" in text and "阻断：raw.obs.site_code" in text and "例如 ['36060']" in text
    assert (docs / "index.html").exists()

    # fix the blocking rows: the remaining non-blocking failure is only a warning
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("delete from raw.obs where site_code = '36060' or observed_at > '2026-10-01'")
    gate = run_gate(as_of=AS_OF, url=db_url, directory=suites, docs_dir=docs)
    assert gate.success and len(gate.warnings) == 1


def test_compute_stops_before_writing_when_the_gate_fails(db_url):
    # an empty registry: the coverage expectation blocks, and nothing may be written
    env = {**os.environ, "GOVMON_DATABASE_URL": db_url, "GOVMON_STATE_DIR": os.environ.get("GOVMON_STATE_DIR", "")}
    env = {k: v for k, v in env.items() if v != ""}
    proc = subprocess.run([sys.executable, "-m", "govmon", "verdicts", "compute", "--quarter", "2026Q3"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "质量闸门未通过" in proc.stdout and "registry.inspected_coverage" in proc.stdout
    assert "未计算、未发布任何结论" in proc.stderr
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("select count(*) from verdicts.runs")
        assert cur.fetchone()[0] == 0

    proc = subprocess.run([sys.executable, "-m", "govmon", "validate"], capture_output=True, text=True, env=env,
                          timeout=300)
    assert proc.returncode == 1 and "阻断" in proc.stdout


@pytest.mark.parametrize("bad_quarter", ["2026-3", "Q3"])
def test_bad_quarter_is_refused(bad_quarter):
    proc = subprocess.run([sys.executable, "-m", "govmon", "verdicts", "export", "--quarter", bad_quarter],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "季度格式应为 2024Q1" in proc.stderr


def test_probe_days_are_counted_over_the_wv2_calendar_window(db_url, tmp_path):
    """short_site_days looks at W-V2's window: the 7 whole Beijing days before the 监测时间点's date.
    A complete week warns about nothing (today's partial day and the day before the window do not
    count); one window day a probe short warns once, without blocking."""
    import shutil

    from govmon.quality import suites_dir
    from govmon.registry import import_registry

    (tmp_path / "sites.csv").write_text("网站名称,网站标识码,首页网址,主办单位,行政区划代码\n"
                                        "鹰潭市人民政府,3606000001,http://127.10.0.1:1/,鹰潭市人民政府办公室,360600\n",
                                        encoding="utf-8")
    import_registry(sites=tmp_path / "sites.csv", url=db_url)
    as_of = dt.datetime(2026, 9, 30, 10, 0, tzinfo=TZ)  # window: 09-23 … 09-29
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("select raw.ensure_probe_partitions(%s, %s)", (as_of - dt.timedelta(days=10), as_of))
        cur.execute("insert into raw.probe__rounds (round_id, source, started_at, finished_at, sites, control_ok) "
                    "values ('t', 'probe', %s, %s, 1, true)", (as_of - dt.timedelta(days=9), as_of))
        days = [dt.date(2026, 9, 22) + dt.timedelta(days=i) for i in range(9)]  # 09-22 … 09-30
        for day in days:
            n = 20 if dt.date(2026, 9, 23) <= day <= dt.date(2026, 9, 29) else 3  # partial days outside
            for k in range(n):
                at = dt.datetime.combine(day, dt.time(0, 5), TZ) + dt.timedelta(minutes=30 * k)
                if at <= as_of:
                    cur.execute("insert into raw.probe__probes (round_id, site_id, probed_at, url, ok, status_code, "
                                "latency_ms) select 't', site_id, %s, url, true, 200, 100 from registry.sites", (at,))
    suites = tmp_path / "exp"
    (suites / "raw").mkdir(parents=True)
    shutil.copy(suites_dir() / "raw" / "probe__probes.json", suites / "raw")

    def short_days():
        gate = run_gate(as_of=as_of, url=db_url, directory=suites, docs_dir=tmp_path / "docs")
        outcome = {o.column: o for o in gate.outcomes}["short_site_days"]
        assert not outcome.blocking
        return gate, outcome

    gate, outcome = short_days()
    assert gate.success and outcome.success and not gate.warnings, gate.summary()
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        cur.execute("delete from raw.probe__probes where probed_at = (select min(probed_at) from raw.probe__probes "
                    "where probed_at >= '2026-09-25 00:00+08' and probed_at < '2026-09-26 00:00+08')")
    gate, outcome = short_days()
    assert gate.success and not outcome.success and [w.column for w in gate.warnings] == ["short_site_days"]
