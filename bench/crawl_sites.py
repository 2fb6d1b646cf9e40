"""Benchmark: the site spider's throughput and memory on the sandbox world.

    .venv/bin/python bench/crawl_sites.py                 # both parts
    .venv/bin/python bench/crawl_sites.py --skip-memory   # throughput only (~1 min)

1. Throughput: ``scrapy bench`` (Scrapy's own follow-all-links spider against its own local server,
   10 s) is measured first, in the same run; then ``gov_site`` crawls a sandbox world of --sites
   sites in one Scrapy process (one shard, like scrapy bench), with the production settings
   (2 requests per site, AutoThrottle, robots.txt), parsing every page and bulk-loading (COPY) into
   Postgres. Pages/s = responses / wall time of the shard process (start-up, crawl, parse, load).
   The ratio to scrapy bench is reported (goal ≥ 0.6).
2. Memory: --big-sites sites (default 100) of about --pages requests each (default 500) in one
   Scrapy process; the peak resident memory of that process is sampled every 0.2 s (goal ≤ 500 MB).

Both use a scratch database (govmon_bench_crawl) on the project's Postgres, dropped at the end, and
the sandbox on loopback only. Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SETTINGS = {"GOVCRAWL_ALLOWED_NETWORKS": "127.0.0.0/8", "LOGSTATS_INTERVAL": 60}


def scrapy_bench() -> dict:
    """Run ``scrapy bench`` and read its final stats: responses and elapsed seconds."""
    with tempfile.TemporaryDirectory() as tmp:   # outside the project: plain Scrapy settings
        p = subprocess.run([sys.executable, "-m", "scrapy", "bench", "-s", "LOG_LEVEL=INFO",
                            "-s", "REMOTE_CONTROL_ENABLED=False"], cwd=tmp, capture_output=True, text=True,
                           timeout=120)
    out = p.stdout + p.stderr
    responses = int(re.search(r"'response_received_count': (\d+)", out).group(1))
    elapsed = float(re.search(r"'elapsed_time_seconds': ([\d.]+)", out).group(1))
    return {"responses": responses, "seconds": elapsed, "pages_per_s": responses / elapsed}


def scenario(n_sites: int, columns: int, items: int, letters: int) -> dict:
    """A world of n_sites healthy sites, the three templates in turn, sized by columns × items."""
    types = ["dynamic_news", "notice", "policy", "personnel", "plan", "other"]
    names = ["工作动态", "通知公告", "政策文件", "人事信息", "规划计划", "机构概况", "部门动态", "公示公告", "规范性文件",
             "招录信息", "年度计划", "财政数据", "新闻发布", "征求意见"]
    sites = []
    for i in range(n_sites):
        cols = [{"key": f"c{k:02d}", "name": names[k % len(names)] + ("" if k < len(names) else str(k)),
                 "type": types[k % len(types)], "last_days_ago": 1 + k, "interval_days": 3, "count": items}
                for k in range(columns)]
        sites.append({"key": f"s{i:04d}", "name": f"测试市第{i}局", "site_code": f"369900{i + 1:04d}",
                      "organizer": f"测试市第{i}局", "region_code": "369900",
                      "template": ("trs", "hanweb", "jiangxi")[i % 3], "encoding": "gbk" if i % 4 == 0 else "utf-8",
                      "columns": cols, "letters": {"count": letters}})
    return {"name": "bench", "anchor": "now", "regions": [{"code": "369900", "name": "测试市"}],
            "sites": sites, "accounts": []}


def fresh_db() -> tuple[str, object]:
    import psycopg2

    from govmon import db, pgcluster

    base = pgcluster.resolve_url(autostart=True).rsplit("/", 1)[0]
    admin = psycopg2.connect(base + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("drop database if exists govmon_bench_crawl with (force)")
        cur.execute("create database govmon_bench_crawl")
    url = base + "/govmon_bench_crawl"
    db.migrate(url)
    return url, admin


def peak_rss_of_scrapy(stop: threading.Event, out: dict) -> None:
    import psutil

    me = psutil.Process(os.getpid())
    peak = 0
    while not stop.is_set():
        for p in me.children(recursive=True):
            try:
                if "scrapy" in " ".join(p.cmdline()):
                    peak = max(peak, p.memory_info().rss)
            except psutil.Error:
                pass
        time.sleep(0.2)
    out["peak_rss"] = peak


def crawl_world(world: dict, tag: str) -> dict:
    from govmon.crawl.runner import crawl_sites
    from govmon.registry import import_registry
    from govmon.sandbox.runner import SandboxProcess

    url, admin = fresh_db()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"{tag}.json"
            path.write_text(json.dumps(world, ensure_ascii=False), encoding="utf-8")
            with SandboxProcess(path, out_dir=Path(tmp) / "reg", start_timeout=120) as sb:
                import_registry(sites=sb.registry_dir / "sites.csv", regions=sb.registry_dir / "regions.csv", url=url)
                stop, mem = threading.Event(), {}
                sampler = threading.Thread(target=peak_rss_of_scrapy, args=(stop, mem), daemon=True)
                sampler.start()
                t0 = time.monotonic()
                summary = crawl_sites(url=url, shards=1, trigger="bench", settings=SETTINGS)
                wall = time.monotonic() - t0
                stop.set()
                sampler.join()
        shard = summary.shards[0]
        assert shard.loaded, shard.error
        r = shard.result
        return {"sites": len(world["sites"]), "responses": r["responses"], "pages_fetched": r["pages_fetched"],
                "links_checked": r["links_checked"], "rows": sum(r["rows"].values()),
                "shard_seconds": shard.seconds, "crawl_seconds": r["seconds"], "load_seconds": r["load_seconds"],
                "wall": wall, "pages_per_s": r["responses"] / shard.seconds,
                "peak_rss_mb": mem.get("peak_rss", 0) / 1e6}
    finally:
        with admin.cursor() as cur:
            cur.execute("drop database if exists govmon_bench_crawl with (force)")
        admin.close()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sites", type=int, default=20, help="sites in the throughput world (default 20)")
    ap.add_argument("--big-sites", type=int, default=100, help="sites in the memory world (default 100)")
    ap.add_argument("--pages", type=int, default=500, help="requests per site in the memory world (about)")
    ap.add_argument("--skip-memory", action="store_true")
    args = ap.parse_args(argv)

    print("scrapy bench (baseline, same machine, same run) …", flush=True)
    base = scrapy_bench()
    print(f"  scrapy bench: {base['responses']} responses in {base['seconds']:.1f} s = {base['pages_per_s']:.1f} pages/s")

    print(f"gov_site on a sandbox world of {args.sites} sites (1 Scrapy process, parsing + COPY) …", flush=True)
    t = crawl_world(scenario(args.sites, 7, 36, 24), "throughput")
    ratio = t["pages_per_s"] / base["pages_per_s"]
    print(f"  gov_site: {t['responses']} responses ({t['pages_fetched']} pages parsed, {t['links_checked']} links "
          f"checked, {t['rows']} rows loaded) in {t['shard_seconds']:.1f} s (load {t['load_seconds']:.2f} s) "
          f"= {t['pages_per_s']:.1f} pages/s")
    print(f"  ratio to scrapy bench: {ratio:.2f} (goal >= 0.6); peak RSS {t['peak_rss_mb']:.0f} MB")
    # scrapy bench parses every response; gov_site fully parses its GET pages and only checks the
    # status of HEAD link checks: the stricter comparison counts parsed pages only
    parsed = t["pages_fetched"] / t["shard_seconds"]
    print(f"  parsed pages only: {parsed:.1f} pages/s, ratio {parsed / base['pages_per_s']:.2f}")

    if not args.skip_memory:
        # about 500 requests a site: 12 columns x 38 items (list pages + article link checks) + letters
        items = max(5, (args.pages - 60) // 12)
        print(f"memory: {args.big_sites} sites x ~{args.pages} requests in one Scrapy process …", flush=True)
        m = crawl_world(scenario(args.big_sites, 12, items, 24), "memory")
        per_site = m["responses"] / m["sites"]
        print(f"  {m['responses']} responses ({per_site:.0f} per site) in {m['shard_seconds']:.1f} s "
              f"= {m['pages_per_s']:.1f} pages/s; peak RSS of the Scrapy process {m['peak_rss_mb']:.0f} MB "
              f"(goal <= 500 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
