"""Probe rounds: every inspected site once, now, then load the results.

``run_round()`` is what ``govmon probe run`` and the ``probe_availability`` DAG call. The timeout
is the profile's ``availability.timeout_seconds``; everything else is a setting (settings.py).
"""

from __future__ import annotations

import datetime as dt
import socket
import time
from collections import Counter
from dataclasses import dataclass, field

from govmon.probe.classify import ERROR_CLASSES, ERROR_LABELS
from govmon.probe.prober import ProbeResult, run_probe_round
from govmon.probe.settings import ProbeSettings, settings_from_env
from govmon.probe.store import RoundRow, inspected_targets, load_round, order_targets, previous_latencies

TZ = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")  # no DST since 1991


class NoSitesToProbe(RuntimeError):
    pass


@dataclass
class RoundResult:
    round_id: str
    started_at: dt.datetime
    finished_at: dt.datetime
    probe_seconds: float
    load_seconds: float
    timeout_seconds: float
    profile: str
    results: list[ProbeResult]
    control: list[ProbeResult]
    control_url: str | None
    by_class: Counter = field(default_factory=Counter)

    @property
    def control_ok(self) -> bool | None:
        return None if not self.control else all(c.ok for c in self.control)

    @property
    def sites(self) -> int:
        return len(self.results)

    @property
    def ok(self) -> int:
        return sum(1 for r in self.results if r.ok)

    @property
    def blocked(self) -> int:
        return self.by_class.get("blocked", 0)

    @property
    def failed(self) -> int:
        return self.sites - self.ok - self.blocked

    def summary(self, n: int | None = None, of: int | None = None) -> str:
        head = f"第 {n}/{of} 轮" if n else "本轮"
        when = self.started_at.astimezone(TZ).strftime("%Y-%m-%d %H:%M:%S")
        classes = "、".join(f"{ERROR_LABELS[c]} {self.by_class[c]}" for c in ERROR_CLASSES
                           if self.by_class.get(c) and c != "blocked")
        line = (f"{head} {when} 探测 {self.sites} 个网站：成功 {self.ok}，失败 {self.failed}"
                + (f"（{classes}）" if classes else "")
                + (f"，被防火墙拦截 {self.blocked}（不计入）" if self.blocked else "")
                + f"；用时 {self.probe_seconds:.1f} 秒（超时 {self.timeout_seconds:g} 秒），入库 {self.load_seconds:.1f} 秒")
        if self.control_ok is None:
            line += "；未配置对照探测（GOVMON_PROBE_CONTROL_URL）"
        elif self.control_ok:
            line += "；对照探测正常"
        else:
            bad = next(c for c in self.control if not c.ok)
            line += (f"；对照探测失败（{ERROR_LABELS.get(bad.error_class, bad.error_class)}）："
                     "本轮视为本方网络故障，不计入任何网站")
        return line


def _round_id(started_at: dt.datetime, host: str) -> str:
    return f"probe:{started_at.astimezone(dt.timezone.utc):%Y%m%dT%H%M%S.%fZ}@{host}"


def run_round(url: str | None = None, *, profile=None, settings: ProbeSettings | None = None,
              round_id: str | None = None, resolver_factory=None) -> RoundResult:
    """Probe every inspected site once and load the round (replacing an earlier load of the same
    ``round_id``: a DAG run re-run does not add probes)."""
    from govmon import db
    from govmon.profiles import load_profile

    prof = profile if hasattr(profile, "get") and hasattr(profile, "flat") else load_profile(profile)
    timeout = float(prof.get("availability.timeout_seconds"))
    settings = settings or settings_from_env()
    with db.transaction(url) as cur:
        targets = inspected_targets(cur)
        previous = previous_latencies(cur)
    if not targets:
        raise NoSitesToProbe("名录中没有受检网站（运行中的网站），请先导入名录：govmon registry import --sites F")
    rp = run_probe_round(order_targets(targets, previous), timeout=timeout, settings=settings,
                         resolver_factory=resolver_factory)
    host = socket.gethostname()
    rid = round_id or _round_id(rp.started_at, host)
    by_class = Counter(r.error_class for r in rp.results if r.error_class)
    ok = sum(1 for r in rp.results if r.ok)
    row = RoundRow(round_id=rid, source="probe", started_at=rp.started_at, finished_at=rp.finished_at, host=host,
                   profile=prof.label, timeout_seconds=timeout, concurrency=settings.concurrency,
                   sites=len(rp.results), ok_count=ok, blocked_count=by_class.get("blocked", 0),
                   fail_count=len(rp.results) - ok - by_class.get("blocked", 0),
                   control_url=settings.control_url, control_ok=rp.control_ok,
                   control=[c.as_evidence() for c in rp.control])
    t0 = time.monotonic()
    with db.transaction(url) as cur:
        load_round(cur, row, rp.results)
    return RoundResult(round_id=rid, started_at=rp.started_at, finished_at=rp.finished_at,
                       probe_seconds=rp.probe_seconds, load_seconds=time.monotonic() - t0, timeout_seconds=timeout,
                       profile=prof.label, results=rp.results, control=rp.control,
                       control_url=settings.control_url, by_class=by_class)


def run_rounds(n: int, interval: float, url: str | None = None, *, profile=None,
               settings: ProbeSettings | None = None, on_round=None, sleep=time.sleep) -> list[RoundResult]:
    """``n`` rounds, starting ``interval`` seconds apart (at once when a round took longer)."""
    out = []
    for i in range(n):
        t0 = time.monotonic()
        res = run_round(url, profile=profile, settings=settings)
        out.append(res)
        if on_round is not None:
            on_round(i + 1, res)
        if i + 1 < n:
            rest = interval - (time.monotonic() - t0)
            if rest > 0:
                sleep(rest)
    return out
