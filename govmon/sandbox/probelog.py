"""An external monitoring vendor's probe log of the sandbox sites, for the days before the anchor.

``GET /__sandbox/probe-log.csv?days=7&per_day=40&timeout=15`` on the control address answers what
another monitor (a provincial platform, a vendor) would export: one row per probe, ``per_day``
probes a day spread over each of the ``days`` full days before the anchor's date (Beijing time),
in the CONTRACT.md §2 columns ``site_code, url, ts, ok, status, latency_ms, error`` with the vendor's
own words for errors (超时, 连接被拒绝, …). It stands in for history the demo cannot wait for; the
pipeline reads it only through ``govmon probe import``, like any file an operator brings.

Each row follows the site's current faults: ``down`` refused, ``timeout`` and ``slow_ms`` at or above
the timeout time out, ``http_5xx`` its status, a homepage ``redirect_loop`` too many redirects, and
``fail_ratio`` fails exactly the n-th probes the live server would (n counted from the first row of
the log, per site: ⌊k·r⌋ of the first k). With 40 a day over 7 days (280 probes), a 5 % site has 14
failures, exactly 5 %.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zlib

from govmon.sandbox.faults import homepage_failure

HEADERS = ["site_code", "url", "ts", "ok", "status", "latency_ms", "error"]


class ProbeLogError(ValueError):
    pass


def _param(query, name: str, default: float, lo: float, hi: float, integer: bool = True):
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        raise ProbeLogError(f"{name}: expected a number, got {raw!r}") from None
    if not lo <= value <= hi:
        raise ProbeLogError(f"{name}: {value} out of range [{lo}, {hi}]")
    return value


def _row(faults: dict, n: int, base_latency: int, timeout_ms: int) -> tuple[str, str, str, str]:
    """(ok, status, latency_ms, error) of the n-th probe of a site with these faults."""
    if faults.get("down"):
        return "0", "", "", "连接被拒绝"
    if faults.get("slow_ms", 0) >= timeout_ms:
        return "0", "", str(timeout_ms), "超时"
    mode = homepage_failure(faults, n)
    slow = int(faults.get("slow_ms", 0))
    if mode == "timeout":
        return "0", "", str(timeout_ms), "超时"
    if mode == "5xx":
        return "0", str(int(faults.get("http_5xx") or faults.get("fail_status") or 503)), str(base_latency + slow), ""
    if mode == "reset":
        return "0", "", str(base_latency + slow), "连接被重置"
    if mode == "empty":
        return "0", "200", str(base_latency + slow), "空白页面"
    if faults.get("redirect_loop") is True:
        return "0", "302", str(base_latency + slow), "重定向次数过多"
    return "1", "200", str(base_latency + slow), ""


def probe_log_csv(sites, anchor: dt.datetime, query) -> str:
    """``sites``: (site_code, url, faults) in scenario order. Returns the CSV text (UTF-8, no BOM)."""
    days = _param(query, "days", 7, 1, 92)
    per_day = _param(query, "per_day", 40, 1, 1440)
    timeout_ms = int(_param(query, "timeout", 15.0, 0.1, 600.0, integer=False) * 1000)
    tz = dt.timezone(dt.timedelta(hours=8))
    today = anchor.astimezone(tz).date()
    step = 86400 / per_day
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(HEADERS)
    for i, (code, url, faults) in enumerate(sites):
        offset = (i * 37) % max(1, int(step))  # vendors stagger their probes; keep each within its slot
        n = 0
        for d in range(days, 0, -1):
            day_start = dt.datetime.combine(today - dt.timedelta(days=d), dt.time(), tz)
            for j in range(per_day):
                ts = day_start + dt.timedelta(seconds=int(j * step) + offset)
                base = 40 + zlib.crc32(f"{code}:{n}".encode()) % 360
                ok, status, latency, error = _row(faults, n, base, timeout_ms)
                w.writerow([code, url, ts.strftime("%Y-%m-%d %H:%M:%S"), ok, status, latency, error])
                n += 1
    return buf.getvalue()
