"""The sandbox's external-monitor export (``/__sandbox/probe-log.csv``) through ``govmon probe import``
and the W-V2 check: the verdicts agree with what the scenario intends for every site."""

from __future__ import annotations

import csv
import datetime as dt
import io
import urllib.error
import urllib.request

import psycopg2
import pytest
from probe_helpers import import_sandbox_sites, wv2

from govmon.probe.importer import import_probe_log
from govmon.sandbox import load_scenario

KEYS = ["portal", "donghu", "xishan", "nanling", "edu", "finance", "transport", "hrss", "env", "agri", "housing"]


def _get(sandbox, query: str) -> bytes:
    with urllib.request.urlopen(f"{sandbox.control_url}/probe-log.csv?{query}", timeout=30) as resp:
        return resp.read()


def test_the_export_follows_each_sites_faults(sandbox):
    rows = list(csv.DictReader(io.StringIO(_get(sandbox, "days=7&per_day=40").decode("utf-8"))))
    assert len(rows) == 11 * 7 * 40
    by_code: dict[str, list[dict]] = {}
    for r in rows:
        by_code.setdefault(r["site_code"], []).append(r)
    code = {k: sandbox.state["sites"][k]["site_code"] for k in KEYS}
    fails = {k: sum(r["ok"] == "0" for r in by_code[code[k]]) for k in KEYS}
    assert fails == {"portal": 0, "donghu": 0, "xishan": 14, "nanling": 0, "edu": 0, "finance": 0,
                     "transport": 280, "hrss": 280, "env": 280, "agri": 280, "housing": 0}  # xishan: 5 % of 280
    days = sorted({r["ts"][:10] for r in rows})
    anchor = dt.date.fromisoformat(sandbox.state["anchor"][:10])
    assert days == [(anchor - dt.timedelta(days=d)).isoformat() for d in range(7, 0, -1)]  # the 7 days before
    assert {r["error"] for r in by_code[code["transport"]]} == {"超时"}
    assert {r["status"] for r in by_code[code["hrss"]]} == {"503"}
    with pytest.raises(urllib.error.HTTPError) as err:
        _get(sandbox, "days=0")
    assert err.value.code == 400


def test_imported_history_gives_the_intended_w_v2_verdicts(sandbox, db_url, tmp_path):
    ids = import_sandbox_sites(db_url, tmp_path, sandbox, KEYS)
    path = tmp_path / "vendor.csv"
    path.write_bytes(_get(sandbox, "days=7&per_day=40"))
    res = import_probe_log(path, url=db_url)
    assert (res.inserted, res.unmatched) == (11 * 280, 0)
    as_of = dt.datetime.fromisoformat(sandbox.state["anchor"])
    results = wv2(db_url, as_of)
    scenario = load_scenario(sandbox.scenario)
    intended = {s.key: "W-V2" in (s.expect.vetoes or []) for s in scenario.sites}
    assert {k: results[ids[k]].status for k in KEYS} == {k: "fail" if intended[k] else "pass" for k in KEYS}
    xishan = results[ids["xishan"]].evidence
    assert (xishan["probes"], xishan["failures"], xishan["fail_ratio"]) == (280, 14, 0.05)
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:  # the evidence marts agree
        cur.execute("select count(*), min(status_code), min(error_class) from marts.fct_probe_failures "
                    "where site_id = %s", (ids["xishan"],))
        assert cur.fetchone() == (14, 503, "http_5xx")
        cur.execute("select count(*), sum(probes), sum(failures) from marts.fct_site_availability_daily "
                    "where site_id = %s", (ids["xishan"],))
        assert cur.fetchone() == (7, 280, 14)
