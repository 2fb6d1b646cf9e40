"""W-V2 results as operators read them: the check ``w_v2__site__unreachable`` run at a 监测时间点."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from govmon.probe.classify import ERROR_LABELS

TZ = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")
CHECK_NAME = "w_v2__site__unreachable"


def parse_as_of(value: str | None) -> dt.datetime:
    """ISO 8601 date or time; no offset = Beijing time; a bare date = that day's 00:00; None = now."""
    if not value:
        return dt.datetime.now(TZ)
    v = value.strip()
    try:
        t = dt.datetime.fromisoformat(v)
    except ValueError:
        raise ValueError(f"--as-of：无法识别的时间“{value}”（应如 2026-10-01 或 2026-09-30T10:00:00+08:00）") from None
    return t if t.tzinfo else t.replace(tzinfo=TZ)


@dataclass
class SiteAvailability:
    site_id: int
    site_code: str
    name: str
    status: str
    problem: str | None
    reason: str | None
    evidence: dict

    def line(self) -> str:
        ev = self.evidence
        ratio = ev.get("fail_ratio")
        share = f"失败 {ev.get('failures', 0)}/{ev.get('probes', 0)}" + (f"（{ratio:.2%}）" if ratio is not None else "")
        if self.status == "fail":
            classes = "、".join(f"{ERROR_LABELS.get(k, k)} {n}" for k, n in sorted((ev.get("failures_by_class") or {}).items()))
            first, last = ev.get("first_failure_at", "")[:16].replace("T", " "), ev.get("last_failure_at", "")[:16].replace("T", " ")
            return f"{self.name}（{self.site_code}）{self.problem}：{share}，{classes}；首次 {first}，末次 {last}"
        if self.status == "unknown":
            return f"{self.name}（{self.site_code}）无法判定：{self.reason}"
        return f"{self.name}（{self.site_code}）正常：{share}"


def wv2_results(url: str | None = None, *, profile=None, as_of: dt.datetime) -> list[SiteAvailability]:
    from govmon import db
    from govmon.profiles import load_profile
    from govmon.verdicts.checks import checks_dir, load_check, run_check

    prof = profile if hasattr(profile, "flat") else load_profile(profile)
    check = load_check(checks_dir() / f"{CHECK_NAME}.sql")
    with db.transaction(url) as cur:
        rows = run_check(cur, check, profile=prof, as_of=as_of)
        cur.execute("select site_id, site_code, name from registry.sites")
        names = {r[0]: (r[1], r[2]) for r in cur.fetchall()}
    order = {"fail": 0, "unknown": 1, "pass": 2}
    out = [SiteAvailability(r.entity_id, *names[r.entity_id], r.status, r.problem, r.reason, r.evidence) for r in rows]
    return sorted(out, key=lambda s: (order.get(s.status, 3), s.site_code))
