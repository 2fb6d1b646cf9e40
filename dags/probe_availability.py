"""
### probe_availability

Every 30 minutes, one availability probe round (W-V2 站点无法访问): a homepage fetch of every
inspected site, concurrently, one attempt each, with the profile's timeout (15 s in
national-2019), plus a control probe of a known-good target (`GOVMON_PROBE_CONTROL_URL`) at the
start and end of the round. Results are copied into `raw.probe__probes` (partitioned by month).

- 48 rounds a day, well above the 20 a day the rule asks; a round that fails its control probe
  counts against no site (our network was down, not theirs).
- No overlapping runs (`max_active_runs=1`) and no catch-up: a missed half hour is not probed
  afterwards, since a probe tells only about the moment it is sent.
- The round id is the DAG run id: re-running the same run replaces its probes, never adds to them.
  A task retry probes again (the failed attempt stored nothing); no probe is retried inside a round.
- Param `profile` (a profile name or YAML path) selects the timeout; default national-2019.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Param, dag, task


@dag(
    schedule="*/30 * * * *",
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["probes"],
    default_args={"owner": "govmon", "retries": 2, "retry_delay": pendulum.duration(minutes=1)},
    dagrun_timeout=pendulum.duration(minutes=29),
    params={"profile": Param(None, type=["null", "string"], description="profile name or YAML file (timeout)")},
)
def probe_availability():
    @task(execution_timeout=pendulum.duration(minutes=25))
    def run_probe_round(params=None, run_id=None) -> dict:
        from govmon.probe.rounds import run_round

        result = run_round(profile=(params or {}).get("profile"), round_id=f"airflow:probe_availability:{run_id}")
        print(result.summary())
        return {"round_id": result.round_id, "sites": result.sites, "ok": result.ok, "failed": result.failed,
                "blocked": result.blocked, "control_ok": result.control_ok,
                "probe_seconds": round(result.probe_seconds, 3)}

    run_probe_round()


probe_availability()
