"""Settings of the prober (environment variables; the README lists them). Thresholds are not
here: the timeout comes from the profile (``availability.timeout_seconds``)."""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_USER_AGENT = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                      "Chrome/124.0 Safari/537.36 govmon-probe/1 (政府网站可用性监测)")


@dataclass(frozen=True)
class ProbeSettings:
    control_url: str | None = None   # a known-good target probed with every round
    concurrency: int = 1000          # probes in flight at once (each holds one connection)
    user_agent: str = DEFAULT_USER_AGENT
    max_bytes: int = 5 * 1024 * 1024  # body bytes read and hashed; a longer page is cut here
    verify_tls: bool = True          # a certificate a browser would refuse is a tls failure
    dns_threads: int = 64            # getaddrinfo runs in threads: thousands of cold names at once


def _int(name: str, default: int, lo: int = 1) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r}：应为整数") from None
    if value < lo:
        raise ValueError(f"{name}={raw!r}：应不小于 {lo}")
    return value


def settings_from_env() -> ProbeSettings:
    control = os.environ.get("GOVMON_PROBE_CONTROL_URL", "").strip() or None
    if control and not control.lower().startswith(("http://", "https://")):
        raise ValueError(f"GOVMON_PROBE_CONTROL_URL={control!r}：应为 http:// 或 https:// 网址")
    verify = os.environ.get("GOVMON_PROBE_VERIFY_TLS", "1").strip().lower() not in ("0", "false", "no", "off")
    return ProbeSettings(
        control_url=control,
        concurrency=_int("GOVMON_PROBE_CONCURRENCY", ProbeSettings.concurrency),
        user_agent=os.environ.get("GOVMON_PROBE_USER_AGENT", "").strip() or DEFAULT_USER_AGENT,
        max_bytes=_int("GOVMON_PROBE_MAX_BYTES", ProbeSettings.max_bytes, lo=1024),
        verify_tls=verify,
        dns_threads=_int("GOVMON_PROBE_DNS_THREADS", ProbeSettings.dns_threads),
    )
