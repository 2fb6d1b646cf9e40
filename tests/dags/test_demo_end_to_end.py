"""The demo scenario end to end through the real Airflow DAGs, run with dag.test(): the sandbox world
of scenarios/demo.yaml (50 sites, 450 accounts) on loopback, a fresh Postgres, and every DAG of the
quarterly job in order — import_registry, probe_availability (plus a week of an outside monitor's
log imported the way an operator brings one), crawl_sites, crawl_media, compute_quarterly_verdicts.
The published verdicts must equal the scenario's intended verdicts entity by entity.

Only this test (not the pipeline) reads the scenario: it is the ground truth the verdicts are
compared with. A failure lists every mismatch with the checks that decided it, so that it can be
diagnosed from the test output alone.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import urllib.request
from collections import Counter
from pathlib import Path

import pendulum
import psycopg2
import pytest

REPO = Path(__file__).resolve().parents[2]
DAGS = REPO / "dags"
DEMO = REPO / "scenarios" / "demo.yaml"
SMALL = REPO / "scenarios" / "small.yaml"
# any other scenario (say one rebuilt from a published 通报) runs through the same harness:
#   GOVMON_E2E_SCENARIO=path/to/world.yaml .venv/bin/python -m pytest tests/dags/test_demo_end_to_end.py
EXTRA = os.environ.get("GOVMON_E2E_SCENARIO")
SCENARIOS = [pytest.param(Path(EXTRA).resolve(), id=Path(EXTRA).stem)] if EXTRA else [
    pytest.param(DEMO, id="demo-anchored-now"), pytest.param(SMALL, id="small-anchored-2026-09-30")]

HISTORY_DAYS = 7        # W-V2: a week of probes …
HISTORY_PER_DAY = 40    # … at least 20 a day (the demo's vendor polls every 36 minutes)

# the sandbox's platforms live on loopback: the same raised limits as the demo (govmon/media/demo.py)
MEDIA_ENV = {"GOVMON_WEIBO_MAX_RPS": "25", "GOVMON_WECHAT_MAX_RPS": "60", "GOVMON_RSS_MAX_RPS": "60",
             "GOVMON_MEDIA_MAX_RPS": "20", "GOVMON_MEDIA_BACKOFF_SECONDS": "0.5",
             "GOVMON_MEDIA_RETRY_DELAY_SECONDS": "0.2", "GOVMON_MEDIA_CONCURRENCY": "64",
             "GOVMON_MEDIA_BATCH_SIZE": "500"}
# the crawl's bounds as in the demo (govmon/crawl/demo.py): the world's slow sites do not hold up the run
CRAWL_ENV = {"GOVMON_CRAWL_ALLOWED_NETWORKS": "127.0.0.0/8", "GOVMON_CRAWL_SITE_SECONDS": "60",
             "GOVMON_CRAWL_LINK_BUDGET": "1500"}
CRAWL_SHARDS = 1  # dag.test() runs mapped shards one after another: one Scrapy process crawls every site at once


def _load_dag(dag_id: str):
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS / f"{dag_id}.py"))
    assert bag.import_errors == {}
    dag = bag.dags[dag_id]
    for t in dag.tasks:  # a failure should fail the run now, not wait out the retry delay
        t.retries = 0
    return dag


def _run(dag_id: str, **kwargs):
    """One dag.test() run; asserts that it and every task instance succeeded."""
    run = _load_dag(dag_id).test(**kwargs)
    states = {(ti.task_id, ti.map_index): str(ti.state) for ti in run.get_task_instances()}
    assert str(run.state) == "success", f"{dag_id}: run {run.state}, tasks {states}"
    assert all(s == "success" for s in states.values()), f"{dag_id}: {states}"
    return run


def _rows(url: str, sql: str, params=None) -> list[tuple]:
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def _sandbox_clock(sb) -> dt.datetime:
    """The world's clock (its anchor plus the time it has run), as the demo reads it."""
    from govmon.quarters import TZ

    live = sb.live_state()
    return (dt.datetime.fromisoformat(live["anchor"]) + dt.timedelta(seconds=live["uptime_seconds"])).astimezone(TZ)


def _intended(scenario) -> dict[tuple[str, str], str]:
    """The scenario's intended verdicts, keyed as verdicts.run_entities.code (govmon/verdicts/demo.py)."""
    out = {("site", s.site_code): s.expect.verdict for s in scenario.sites if s.expect and s.status == "运行"}
    out.update({("account", f"{a.platform}:{a.account_id or a.name}"): a.expect.verdict
                for a in scenario.accounts if a.expect and a.status == "运行"})
    return out


def _short(value, limit: int = 700) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= limit else text[:limit] + f"…（共 {len(text)} 字符）"


def _mismatch_report(url: str, quarter: str, scenario, got: dict, intended: dict) -> list[str]:
    """Every entity whose verdict differs from the intent: what was intended (with the scenario's
    problems), what the roll-up said, and each check that did not pass (status, reason, evidence)."""
    keys = {(s.site_code if et == "site" else f"{s.platform}:{s.account_id or s.name}"): s
            for et, items in (("site", scenario.sites), ("account", scenario.accounts)) for s in items}
    lines = []
    for (et, code), want in sorted(intended.items()):
        row = got.get((et, code))
        if row is not None and row["verdict"] == want:
            continue
        spec = keys[code]
        head = (f"{et} {code} {spec.name} (scenario key {spec.key}): intended {want} "
                f"{spec.expect.to_dict()}, got {row['verdict'] if row else 'no verdict'}")
        if row is None:
            lines.append(head)
            continue
        head += (f" problems={row['problems']} vetoes={row['vetoes']} unknown={row['unknown_reasons']} "
                 f"pending={row['pending_review']} score={row['score']}")
        lines.append(head)
        checks = _rows(url, """
            select check_name, indicator, status, problem, reason, evidence
            from verdicts.check_results
            where run_id = %s and entity_type = %s and entity_id = %s
            order by status = 'pass', check_name""", (row["run_id"], et, row["entity_id"]))
        for name, indicator, status, problem, reason, evidence in checks:
            if status == "pass" and any(c[2] != "pass" for c in checks):
                continue
            lines.append(f"    {indicator} {name}: {status} problem={problem} reason={reason} "
                         f"evidence={_short(evidence)}")
    extra = sorted(k for k in got if k not in intended)
    if extra:
        lines.append(f"verdicts for entities the scenario does not intend: {extra}")
    return lines


def _anchor() -> str | None:
    """The world's anchor: now (the scenario's ``anchor: now``), unless the run could cross midnight
    in Beijing — the W-V2 window and every age in days are counted from the 监测时间点's date, and the
    probe log covers the days before the anchor's date — then three hours ago, so that the world's
    clock stays on one day."""
    from govmon.quarters import TZ

    now = dt.datetime.now(TZ)
    if now.time() < dt.time(22, 0):
        return None
    return (now - dt.timedelta(hours=3)).isoformat()


@pytest.fixture(params=SCENARIOS)
def demo_world(request, tmp_path, db_url, monkeypatch):
    """A scenario served on a free port, registry files in tmp_path, the env every DAG reads. A world
    anchored in the past is collected on its own clock (GOVMON_CLOCK_OFFSET_SECONDS, as the demo does)."""
    from govmon import clock
    from govmon.sandbox import load_scenario
    from govmon.sandbox.runner import SandboxProcess

    path = request.param
    anchored_now = load_scenario(path).anchor_spec is None
    sb = SandboxProcess(path, port=0, out_dir=tmp_path / "registry", start_timeout=120,
                        anchor=_anchor() if anchored_now else None)
    with sb:
        shift = (_sandbox_clock(sb) - dt.datetime.now(dt.timezone.utc)).total_seconds()
        if abs(shift) >= 60:
            monkeypatch.setenv(clock.ENV, f"{shift:.3f}")
        else:
            monkeypatch.delenv(clock.ENV, raising=False)
        sb.scenario_path = path
        monkeypatch.setenv("GOVMON_DATABASE_URL", db_url)
        monkeypatch.setenv("GOVMON_REGISTRY_DIR", str(sb.registry_dir))
        monkeypatch.setenv("GOVMON_REPORT_DIR", str(tmp_path / "reports"))
        for k, v in sb.env.items():  # platform base URLs, the control URL
            monkeypatch.setenv(k, v)
        monkeypatch.setenv("GOVMON_PROBE_CONTROL_URL", sb.control_url + "/health")
        for k, v in {**CRAWL_ENV, **MEDIA_ENV}.items():
            monkeypatch.setenv(k, v)
        yield sb


def test_demo_scenario_through_the_dags_gives_the_intended_verdicts(airflow_db, db_url, demo_world, tmp_path):
    from govmon.probe.importer import import_probe_log
    from govmon.quarters import Quarter
    from govmon.sandbox import load_scenario

    sb = demo_world
    scenario = load_scenario(sb.scenario_path)
    intended = _intended(scenario)

    # 2. the registry the sandbox wrote
    _run("import_registry")
    assert _rows(db_url, "select count(*) from registry.inspected_sites") == \
        [(sum(1 for s in scenario.sites if s.status == "运行"),)]
    assert _rows(db_url, "select count(*) from registry.inspected_accounts") == \
        [(sum(1 for a in scenario.accounts if a.status == "运行"),)]

    # 3. a live probe round, and the previous week imported from an outside monitor's log
    _run("probe_availability")
    assert _rows(db_url, "select count(*), bool_and(control_ok) from raw.probe__rounds") == [(1, True)]
    log = tmp_path / "probe-log-history.csv"
    with urllib.request.urlopen(f"{sb.control_url}/probe-log.csv?days={HISTORY_DAYS}&per_day={HISTORY_PER_DAY}",
                                timeout=60) as resp:
        log.write_bytes(resp.read())
    imported = import_probe_log(log, url=db_url)
    assert imported.inserted >= len([k for k in intended if k[0] == "site"]) * HISTORY_DAYS * HISTORY_PER_DAY, \
        imported.summary()

    # 4. the website crawl and the new-media timelines
    _run("crawl_sites", run_conf={"shards": CRAWL_SHARDS})
    assert _rows(db_url, "select status from raw.gov_site__runs") == [("done",)]
    # the collection day is the world's day (its logical date; "now" unless the world runs behind)
    _run("crawl_media", logical_date=pendulum.instance(_sandbox_clock(sb)))

    # 5. the quarter's verdicts at the world's clock (the 监测时间点 the demo uses)
    as_of = _sandbox_clock(sb)
    quarter = str(Quarter.containing(as_of))
    conf = {"quarter": quarter, "as_of": as_of.isoformat()}
    now = pendulum.now("UTC")
    _run("compute_quarterly_verdicts", run_conf=conf, logical_date=now)

    # the published run is the one for this interval, and the 通报 was written
    assert [(q, a) for q, a in _rows(db_url, "select p.quarter, r.as_of from verdicts.published p "
                                             "join verdicts.runs r using (run_id)")] == [(quarter, as_of)]
    docx = list((tmp_path / "reports").glob(f"通报-{quarter}-*.docx"))
    assert docx and all(p.stat().st_size > 0 for p in docx), list((tmp_path / "reports").iterdir())

    # 6. the verdicts, entity by entity
    cols = ("run_id", "entity_type", "entity_id", "code", "verdict", "problems", "vetoes", "unknown_reasons",
            "pending_review", "score")
    got = {(r[1], r[3]): dict(zip(cols, r)) for r in _rows(
        db_url, f"select {', '.join(cols)} from verdicts.fct_quarterly_verdicts where quarter = %s", (quarter,))}
    problems = _mismatch_report(db_url, quarter, scenario, got, intended)
    kinds = Counter((et, want, got[(et, code)]["verdict"] if (et, code) in got else None)
                    for (et, code), want in intended.items() if got.get((et, code), {}).get("verdict") != want)
    assert not problems, (
        f"{len(intended) - sum(kinds.values())}/{len(intended)} verdicts equal the scenario's intent; mismatches "
        + "，".join(f"{et} intended {w} got {g}: {n}" for (et, w, g), n in sorted(kinds.items(), key=str))
        + "\n" + "\n".join(problems))

    # 7. idempotent: the same interval again gives the same verdict rows, in the same run
    before = _rows(db_url, "select * from verdicts.entity_verdicts order by run_id, entity_type, entity_id")
    _run("compute_quarterly_verdicts", run_conf=conf, logical_date=now.add(seconds=1))
    assert _rows(db_url, "select * from verdicts.entity_verdicts order by run_id, entity_type, entity_id") == before
    assert _rows(db_url, "select count(*) from verdicts.runs") == [(1,)]
