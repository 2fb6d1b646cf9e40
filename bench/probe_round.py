"""Benchmark: one probe round over 14,000 government homepages on the sandbox, 5 % never answering.

    .venv/bin/python bench/probe_round.py [--sites 14000] [--hang-share 0.05] [--timeout SECONDS]
                                          [--concurrency N] [--keep]

About 14,000 government websites operate in China. The sandbox serves that many homepages, each on
its own loopback address; every 20th hangs (a ``timeout`` fault: accepts, never answers). A round
cannot end before its slowest probe times out, so the figure of merit is

    round wall time / profile timeout        (goal <= 1.3)

measured twice: a cold round (no history: registry order) and the next one (the round starts the
previous round's slowest sites first, as every scheduled round after the first does). Also:
probes/s against the healthy homepages, against a baseline measured in the same run (a bare asyncio
HTTP/1.1 GET with the same concurrency: what this machine and the sandbox allow), COPY time, and
the prober process's peak memory. The probe rounds run in a child process so its memory is its own.

Needs the local Postgres (or GOVMON_DATABASE_URL with CREATEDB); creates and drops a database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

AVAILABILITY_FAULTS = {"down", "timeout", "timeout_share", "http_5xx", "error_share", "fail_ratio", "fail_mode",
                       "fail_status", "slow_ms", "redirect_loop", "hang_seconds"}


def make_world(path: Path, sites: int, hang_share: float) -> list[str]:
    """A generated world (no accounts) whose only availability fault is: every k-th site hangs.
    Returns the keys of the hanging sites."""
    from govmon.sandbox.generate import generate_json

    world = json.loads(generate_json(seed=2026, n_sites=sites, n_accounts=0, anchor="now"))
    every = round(1 / hang_share) if hang_share else 0
    hanging = []
    for i, site in enumerate(world["sites"]):
        faults = {k: v for k, v in (site.get("faults") or {}).items() if k not in AVAILABILITY_FAULTS}
        if every and i % every == every - 1:
            faults["timeout"] = True
            hanging.append(site["key"])
        site["faults"] = faults
        site.pop("expect", None)
    path.write_text(json.dumps(world, ensure_ascii=False), encoding="utf-8")
    return hanging


async def _raw_get(targets: list[tuple[str, int]], concurrency: int, timeout: float) -> tuple[float, int]:
    """The baseline: a bare HTTP/1.1 GET per target, read to EOF, same worker-pool shape."""
    it = iter(targets)
    ok = 0

    async def worker():
        nonlocal ok
        for host, port in it:
            try:
                async with asyncio.timeout(timeout):
                    reader, writer = await asyncio.open_connection(host, port)
                    writer.write(f"GET / HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode())
                    data = await reader.read(-1)
                    writer.close()
                    ok += data.startswith(b"HTTP/1.1 200")
            except (OSError, TimeoutError):
                pass

    t0 = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(min(concurrency, len(targets)))))
    return time.monotonic() - t0, ok


def worker_main(args) -> None:
    """In the child process: baseline, healthy round, two full rounds; prints one JSON line."""
    from govmon import db
    from govmon.probe.prober import raise_nofile_limit, run_probe_round
    from govmon.probe.rounds import run_round
    from govmon.probe.settings import ProbeSettings
    from govmon.probe.store import inspected_targets
    from govmon.profiles import load_profile

    raise_nofile_limit(args.concurrency + 1024)
    profile = load_profile(args.profile)
    timeout = float(profile.get("availability.timeout_seconds"))
    settings = ProbeSettings(control_url=args.control_url, concurrency=args.concurrency)
    hanging = set(json.loads(Path(args.hanging_urls).read_text()))
    with db.transaction(args.url) as cur:
        targets = inspected_targets(cur)
    healthy = [t for t in targets if t.url not in hanging]
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out = {"sites": len(targets), "hanging": len(targets) - len(healthy), "timeout": timeout}

    hosts = [(urlsplit(t.url).hostname, urlsplit(t.url).port) for t in healthy]
    secs, ok = asyncio.run(_raw_get(hosts, args.concurrency, timeout))
    out["baseline"] = {"seconds": secs, "ok": ok, "n": len(hosts)}

    rp = run_probe_round(healthy, timeout=timeout, settings=settings)
    out["healthy"] = {"seconds": rp.probe_seconds, "ok": sum(r.ok for r in rp.results), "n": len(healthy)}

    for name in ("cold", "warm"):
        res = run_round(args.url, profile=profile, settings=settings)
        out[name] = {"seconds": res.probe_seconds, "load_seconds": res.load_seconds, "ok": res.ok,
                     "timeouts": res.by_class.get("timeout", 0), "failed": res.failed, "control_ok": res.control_ok}
    out["rss_before_mb"] = rss_before / 1024
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sites", type=int, default=14000)
    ap.add_argument("--hang-share", type=float, default=0.05)
    ap.add_argument("--timeout", type=float, default=None,
                    help="probe timeout in seconds (default: national-2019's availability.timeout_seconds)")
    ap.add_argument("--concurrency", type=int, default=None, help="default: GOVMON_PROBE_CONCURRENCY or 1000")
    ap.add_argument("--keep", action="store_true", help="keep the benchmark database")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--url", help=argparse.SUPPRESS)
    ap.add_argument("--profile", help=argparse.SUPPRESS)
    ap.add_argument("--control-url", help=argparse.SUPPRESS)
    ap.add_argument("--hanging-urls", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker_main(args)
        return 0

    import psycopg2

    from govmon import db, pgcluster
    from govmon.probe.settings import settings_from_env
    from govmon.registry import import_registry
    from govmon.sandbox.runner import SandboxProcess

    concurrency = args.concurrency or settings_from_env().concurrency
    load_before = os.getloadavg()[0]  # other work on the machine skews both the baseline and the rounds
    tmp = Path(tempfile.mkdtemp(prefix="govmon-bench-probe-"))
    profile = "national-2019"
    if args.timeout:
        profile = str(tmp / "bench.yaml")
        Path(profile).write_text(f"name: bench\nbase: national-2019\navailability: {{timeout_seconds: {args.timeout}}}\n")
    t0 = time.monotonic()
    hanging_keys = make_world(tmp / "world.json", args.sites, args.hang_share)
    gen_s = time.monotonic() - t0

    server = pgcluster.resolve_url(autostart=True)
    dbname = f"govmon_bench_probe_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(server.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'create database "{dbname}"')
    url = server.rsplit("/", 1)[0] + "/" + dbname
    try:
        db.migrate(url)
        t0 = time.monotonic()
        with SandboxProcess(tmp / "world.json", out_dir=tmp / "sandbox", start_timeout=600) as sb:
            serve_s = time.monotonic() - t0
            t0 = time.monotonic()
            import_registry(sites=sb.registry_dir / "sites.csv", url=url)
            reg_s = time.monotonic() - t0
            hanging_urls = [sb.url(k) for k in hanging_keys]
            (tmp / "hanging.json").write_text(json.dumps(hanging_urls))
            cmd = [sys.executable, __file__, "--worker", "--url", url, "--profile", profile,
                   "--control-url", sb.control_url + "/health", "--hanging-urls", str(tmp / "hanging.json"),
                   "--concurrency", str(concurrency)]
            proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
            if proc.returncode != 0:
                print(proc.stdout, proc.stderr, file=sys.stderr)
                return 1
            r = json.loads(proc.stdout.strip().splitlines()[-1])
    finally:
        if not args.keep:
            with admin.cursor() as cur:
                cur.execute(f'drop database if exists "{dbname}" with (force)')
        admin.close()

    T = r["timeout"]
    base, healthy = r["baseline"], r["healthy"]
    base_rate = base["n"] / base["seconds"]
    rate = healthy["n"] / healthy["seconds"]
    print(f"bench/probe_round.py — {r['sites']} 个首页（沙盒），{r['hanging']} 个（{r['hanging'] / r['sites']:.1%}）永不应答；"
          f"超时 {T:g} 秒，并发 {concurrency}；{os.cpu_count()} 核 {platform.machine()}，Python {platform.python_version()}，"
          f"负载 {load_before:.2f} → {os.getloadavg()[0]:.2f}")
    print(f"  准备：生成场景 {gen_s:.1f} 秒，沙盒启动 {serve_s:.1f} 秒，名录导入 {reg_s:.1f} 秒")
    print(f"  {'':34} {'seconds':>8} {'probes/s':>9}  ratio")
    print(f"  {'baseline: bare asyncio GET, healthy':34} {base['seconds']:8.2f} {base_rate:9.0f}  1.00"
          f"   ({base['ok']}/{base['n']} ok)")
    print(f"  {'prober, healthy homepages':34} {healthy['seconds']:8.2f} {rate:9.0f}  {rate / base_rate:.2f} of baseline"
          f"   ({healthy['ok']}/{healthy['n']} ok)")
    for name, label in (("cold", "round 1 (cold: registry order)"), ("warm", "round 2 (slowest first)")):
        x = r[name]
        print(f"  {label:34} {x['seconds']:8.2f} {r['sites'] / x['seconds']:9.0f}  {x['seconds'] / T:.2f} × timeout"
              f"   (ok {x['ok']}, timeouts {x['timeouts']}, failed {x['failed']}; COPY {x['load_seconds']:.2f} s)")
    print(f"  peak memory of the prober process: {r['peak_rss_mb']:.0f} MB ({r['rss_before_mb']:.0f} MB before the rounds)")
    print(f"  goal: round wall time / timeout <= 1.3 — cold {r['cold']['seconds'] / T:.2f}, "
          f"steady state {r['warm']['seconds'] / T:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
