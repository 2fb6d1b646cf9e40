"""
### compute_quarterly_verdicts

Once a quarter (02:00 on the first day of January, April, July and October, Asia/Shanghai) computes
the verdicts of the quarter that has just closed:

validate (the Great Expectations gate) → compute (every SQL check, review queue, roll-up) → publish
(the quarter's pointer swapped to the new run in one transaction) → write the 通报 (docx and md, into
`GOVMON_REPORT_DIR`, default `.govmon/reports`; a recheck run writes the 复核 report instead).

- Airflow 3 reads a cron string as trigger times, so the logical date is the run time; the quarter
  is derived explicitly (`govmon.quarters.closed_quarter`).
- A failed blocking expectation fails `validate_quality_gate` and nothing is written.
- Idempotent per quarter: re-running recomputes the same run in place.
- A manual run with `quarter` (and `as_of`, `recheck`) recomputes a past quarter, e.g. a 复核 after
  rectification: a recheck run is kept beside the published one for comparison, not published.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Asset, Param, dag, task

VERDICTS = Asset(name="govmon_verdicts", uri="postgres://postgres:5432/govmon/verdicts/entity_verdicts")


@dag(
    schedule="0 2 1 1,4,7,10 *",
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["verdicts", "quality"],
    default_args={"owner": "govmon", "retries": 2, "retry_delay": pendulum.duration(minutes=10)},
    params={
        "quarter": Param(None, type=["null", "string"], description="e.g. 2026Q3; default: the quarter just closed"),
        "as_of": Param(None, type=["null", "string"], description="监测时间点 (ISO); default: end of the quarter"),
        "profile": Param(None, type=["null", "string"], description="profile name or file; default national-2019"),
        "recheck": Param(False, type="boolean", description="a 复核 run, kept beside the published one"),
    },
)
def compute_quarterly_verdicts():
    @task
    def resolve_quarter(params=None, logical_date=None) -> dict:
        from govmon.quarters import Quarter, closed_quarter, parse_as_of

        params = params or {}
        quarter = Quarter.parse(params["quarter"]) if params.get("quarter") else closed_quarter(logical_date)
        as_of = parse_as_of(params.get("as_of"), quarter, now=logical_date)
        return {"quarter": str(quarter), "as_of": as_of.isoformat(), "profile": params.get("profile"),
                "recheck": bool(params.get("recheck"))}

    @task
    def validate_quality_gate(spec: dict) -> dict:
        import datetime as dt

        from airflow.sdk.exceptions import AirflowFailException

        from govmon.quality import run_gate

        gate = run_gate(as_of=dt.datetime.fromisoformat(spec["as_of"]), profile=spec["profile"])
        print("\n".join(gate.summary()))
        if not gate.success:
            # no retry: the data has to be fixed first
            raise AirflowFailException("\n".join(gate.summary()))
        return spec

    @task
    def compute_verdicts(spec: dict) -> int:
        import datetime as dt

        from govmon.verdicts.compute import compute

        result = compute(spec["quarter"], as_of=dt.datetime.fromisoformat(spec["as_of"]), profile=spec["profile"],
                         kind="recheck" if spec["recheck"] else "scheduled", publish=False)
        print("\n".join(result.summary()))
        return result.run_id

    @task(outlets=[VERDICTS])
    def publish_verdicts(verdict_run: int, spec: dict) -> int | None:
        from govmon.verdicts.compute import publish

        if spec["recheck"]:
            print(f"复核运行 {verdict_run} 已保存，不替换已发布的结论。")
            return None
        publish(verdict_run)
        return verdict_run

    @task
    def write_quarterly_report(spec: dict) -> str:
        import os

        from govmon import config
        from govmon.report import write_report
        from govmon.report.recheck import write_recheck

        out = os.environ.get("GOVMON_REPORT_DIR") or str(config.state_dir() / "reports")
        if spec["recheck"]:
            written = write_recheck(spec["quarter"], out)
        else:
            written = write_report(spec["quarter"], out)
        print(f"{written.docx}\n{written.markdown}")
        return str(written.docx)

    spec = resolve_quarter()
    checked = validate_quality_gate(spec)
    verdict_run = compute_verdicts(checked)
    published = publish_verdicts(verdict_run, checked)
    published >> write_quarterly_report(checked)


compute_quarterly_verdicts()
