"""Crawl runs: pick the sites, split them into shards, run Scrapy in a fresh process per shard (the
Twisted reactor cannot restart inside one process), and record how the run went.

The crawler sees only ``registry.inspected_sites`` (网站标识码 and 首页网址) and the network; the
shard's sites are handed to the spider as a JSON file. Each shard loads its own rows (COPY, per
(run, site), idempotent), so a failed shard can simply be run again with the same run id.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from govmon import config, db, pgcluster

SPIDERS_DIR = config.PROJECT_ROOT / "spiders"


class CrawlInputError(ValueError):
    """Bad input (unknown site codes, a bad overrides file): every problem, in Chinese."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class ShardResult:
    shard: int
    site_ids: list[int]
    returncode: int
    seconds: float
    loaded: bool
    result: dict = field(default_factory=dict)
    log_file: str = ""
    error: str = ""


@dataclass
class RunSummary:
    crawl_run_id: int
    status: str
    sites: int
    shards: list[ShardResult]
    seconds: float

    @property
    def failed_shards(self) -> list[ShardResult]:
        return [s for s in self.shards if not s.loaded]


def profile_windows(profile: str | None = None) -> tuple[int, int]:
    """(days of column history to page back through, days of letters): the profile's longest windows."""
    from govmon.profiles import load_profile

    p = load_profile(profile)
    window = max(int(p.get("columns.long_term_max_days")), int(p.get("columns.notice_policy_max_days")),
                 int(p.get("columns.dynamic_max_days")), int(p.get("homepage.max_days_without_update")))
    return window, int(p.get("interaction.lookback_days"))


def select_sites(url: str | None = None, site_codes: list[str] | None = None) -> list[dict]:
    """Inspected sites (all, or those with the given 网站标识码). Raises CrawlInputError for codes that
    are not inspected."""
    with db.transaction(url) as cur:
        if site_codes:
            cur.execute("select site_id, site_code, name, url, organizer from registry.inspected_sites "
                        "where site_code = any(%s) order by site_id", (list(site_codes),))
        else:
            cur.execute("select site_id, site_code, name, url, organizer from registry.inspected_sites "
                        "order by site_id")
        rows = cur.fetchall()
        found = {r[1] for r in rows}
        missing = [c for c in site_codes or [] if c not in found]
        if missing:
            cur.execute("select site_code, status, removed_at is not null from registry.sites "
                        "where site_code = any(%s)", (missing,))
            known = {c: (s, r) for c, s, r in cur.fetchall()}
            problems = []
            for c in missing:
                if c not in known:
                    problems.append(f"--site {c}: 名录中没有该网站标识码")
                elif known[c][1]:
                    problems.append(f"--site {c}: 该网站已从名录移除，不再检查")
                else:
                    problems.append(f"--site {c}: 该网站运行状态为“{known[c][0]}”，不在检查范围")
            raise CrawlInputError(problems)
    return [{"site_id": r[0], "site_code": r[1], "name": r[2], "url": r[3], "organizer": r[4]} for r in rows]


def sites_for_spider(site_codes: list[str] | None = None):
    """Sites for a spider run standalone (``scrapy crawl gov_site -a site_codes=…``)."""
    from govcrawl.spiders.base import CrawlSite  # noqa: F401 - the spider's own type

    from govmon.crawl.overrides import load_overrides

    overrides = load_overrides()
    return [CrawlSite(s["site_id"], s["site_code"], s["name"], s["url"], s["organizer"],
                      overrides.get(s["site_code"], {})) for s in select_sites(None, site_codes)]


def start_run(url: str | None = None, *, trigger: str = "cli", profile: str | None = None, site_count: int = 0,
              shard_count: int = 1, window_days: int | None = None, params: dict | None = None) -> int:
    with db.transaction(url) as cur:
        cur.execute(
            "insert into raw.gov_site__runs (trigger, profile, window_days, site_count, shard_count, params) "
            "values (%s, %s, %s, %s, %s, %s) returning crawl_run_id",
            (trigger, profile, window_days, site_count, shard_count, json.dumps(params or {}, ensure_ascii=False)))
        return cur.fetchone()[0]


def finish_run(url: str | None, run_id: int, shards_failed: int, error: str | None = None) -> str:
    with db.transaction(url) as cur:
        cur.execute("select shard_count from raw.gov_site__runs where crawl_run_id = %s", (run_id,))
        row = cur.fetchone()
        total = row[0] if row else 0
        status = "done" if shards_failed == 0 else ("failed" if shards_failed >= (total or 1) else "partial")
        cur.execute("update raw.gov_site__runs set finished_at = now(), status = %s, shards_failed = %s, error = %s "
                    "where crawl_run_id = %s", (status, shards_failed, error, run_id))
    return status


def plan_shards(sites: list[dict], shards: int) -> list[list[dict]]:
    """Round-robin: big and small sites spread evenly; never an empty shard."""
    n = max(1, min(int(shards or 1), len(sites) or 1))
    out: list[list[dict]] = [[] for _ in range(n)]
    for i, s in enumerate(sites):
        out[i % n].append(s)
    return [s for s in out if s]


def crawl_dir() -> Path:
    d = config.state_dir() / "crawl"
    d.mkdir(parents=True, exist_ok=True)
    return d


def write_sites_file(run_id: int, shard: int, sites: list[dict], window_days: int, letters_window_days: int,
                     overrides: dict) -> Path:
    import uuid

    # run ids are per database: a token keeps files of runs in different databases apart
    path = crawl_dir() / f"run-{run_id}-shard-{shard}-{uuid.uuid4().hex[:8]}.sites.json"
    data = {"crawl_run_id": run_id, "shard": shard, "window_days": window_days,
            "letters_window_days": letters_window_days,
            "sites": [{**s, "overrides": overrides.get(s["site_code"], {})} for s in sites]}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def scrapy_env(url: str | None = None, extra: dict | None = None) -> dict:
    env = dict(os.environ)
    paths = [str(SPIDERS_DIR), str(config.PROJECT_ROOT)]
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env["SCRAPY_SETTINGS_MODULE"] = "govcrawl.settings"
    if url:
        env["GOVMON_DATABASE_URL"] = url
    env.update(extra or {})
    return env


def run_shard(run_id: int, shard: int, sites_file: str | Path, *, url: str | None = None,
              settings: dict | None = None, env: dict | None = None, timeout: float | None = None,
              spider: str = "gov_site", python: str | None = None) -> ShardResult:
    """One shard in a fresh Scrapy process; ``loaded`` only when the pipeline has committed the rows."""
    url = url or pgcluster.resolve_url(autostart=True)
    data = json.loads(Path(sites_file).read_text(encoding="utf-8"))
    site_ids = [s["site_id"] for s in data["sites"]]
    base = Path(str(sites_file).removesuffix(".sites.json"))
    result_file = Path(f"{base}.result.json")
    result_file.unlink(missing_ok=True)
    log_file = Path(f"{base}.log")
    cmd = [python or sys.executable, "-m", "scrapy", "crawl", spider, "-a", f"run_id={run_id}",
           "-a", f"shard={shard}", "-a", f"sites_file={sites_file}",
           "-s", f"GOVCRAWL_RESULT_FILE={result_file}", "-s", f"LOG_FILE={log_file}"]
    for k, v in (settings or {}).items():
        cmd += ["-s", f"{k}={v}"]
    t0 = time.monotonic()
    try:
        proc = subprocess.run(cmd, cwd=str(SPIDERS_DIR), env=scrapy_env(url, env), capture_output=True, text=True,
                              timeout=timeout)
        code, err = proc.returncode, proc.stderr[-4000:]
    except subprocess.TimeoutExpired as exc:
        code, err = -9, f"超时：{timeout} 秒内未完成 ({exc})"
    seconds = time.monotonic() - t0
    loaded = result_file.exists()
    result = json.loads(result_file.read_text(encoding="utf-8")) if loaded else {}
    result_file.unlink(missing_ok=True)
    if not loaded and not err:
        try:
            err = log_file.read_text(encoding="utf-8", errors="replace")[-4000:]
        except OSError:
            err = ""
    return ShardResult(shard, site_ids, code, seconds, loaded, result, str(log_file), "" if loaded else err)


def plan_run(url: str | None = None, site_codes: list[str] | None = None, *, shards: int = 1,
             profile: str | None = None, trigger: str = "cli", settings: dict | None = None) -> tuple[int, list[dict]]:
    """Create a crawl run and its shard specs (JSON-able: what a worker needs to run a shard).
    Raises CrawlInputError for bad input or when there is nothing to crawl."""
    from govmon.crawl.overrides import OverridesError, load_overrides

    try:
        load_overrides()  # a bad overrides file stops the run before anything is written
    except OverridesError as exc:
        raise CrawlInputError(exc.problems) from None
    sites = select_sites(url, site_codes)
    if not sites:
        raise CrawlInputError(["名录中没有受检网站（registry.inspected_sites 为空），请先导入名录"])
    window, letters_window = profile_windows(profile)
    planned = plan_shards(sites, shards)
    run_id = start_run(url, trigger=trigger, profile=profile or "national-2019", site_count=len(sites),
                       shard_count=len(planned), window_days=window,
                       params={"site_codes": site_codes or [], "settings": settings or {}})
    specs = [{"crawl_run_id": run_id, "shard": i, "window_days": window, "letters_window_days": letters_window,
              "sites": chunk} for i, chunk in enumerate(planned)]
    return run_id, specs


def run_shard_spec(spec: dict, *, url: str | None = None, settings: dict | None = None, env: dict | None = None,
                   timeout: float | None = None) -> ShardResult:
    """Run one planned shard on this machine (the overrides file is read here, on the worker)."""
    from govmon.crawl.overrides import load_overrides

    f = write_sites_file(spec["crawl_run_id"], spec["shard"], spec["sites"], spec["window_days"],
                         spec["letters_window_days"], load_overrides())
    return run_shard(spec["crawl_run_id"], spec["shard"], f, url=url, settings=settings, env=env, timeout=timeout)


def close_run(url: str | None, run_id: int) -> tuple[str, int, int]:
    """Record a run's status from what was loaded: (status, shards loaded, shards planned)."""
    with db.transaction(url) as cur:
        cur.execute("select shard_count from raw.gov_site__runs where crawl_run_id = %s", (run_id,))
        row = cur.fetchone()
        if row is None:
            raise CrawlInputError([f"采集批次 {run_id} 不存在"])
        cur.execute("select count(distinct shard) from raw.gov_site__site_crawls where crawl_run_id = %s", (run_id,))
        loaded = cur.fetchone()[0]
    planned = row[0] or 0
    status = finish_run(url, run_id, planned - loaded, None if loaded == planned else
                        f"{planned - loaded} of {planned} shards not loaded")
    return status, loaded, planned


def crawl_sites(site_codes: list[str] | None = None, *, url: str | None = None, shards: int = 1, jobs: int = 1,
                profile: str | None = None, trigger: str = "cli", settings: dict | None = None,
                env: dict | None = None, timeout: float | None = None, progress=None) -> RunSummary:
    """Crawl the inspected sites (or the given ones): plan, run the shards (``jobs`` at a time), record."""
    from concurrent.futures import ThreadPoolExecutor

    url = url or pgcluster.resolve_url(autostart=True)
    t0 = time.monotonic()
    run_id, specs = plan_run(url, site_codes, shards=shards, profile=profile, trigger=trigger, settings=settings)
    n_sites = sum(len(s["sites"]) for s in specs)
    if progress:
        progress(f"采集批次 {run_id}：{n_sites} 个网站，分 {len(specs)} 片，回溯 {specs[0]['window_days']} 天")

    def one(spec):
        res = run_shard_spec(spec, url=url, settings=settings, env=env, timeout=timeout)
        if progress:
            state = "已入库" if res.loaded else f"失败（退出码 {res.returncode}）"
            progress(f"  分片 {spec['shard']}：{len(res.site_ids)} 个网站，{res.seconds:.1f} 秒，{state}")
        return res

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        results = list(pool.map(one, specs))
    failed = [r for r in results if not r.loaded]
    error = "; ".join(f"shard {r.shard}: {r.error[-300:]}" for r in failed) or None
    status = finish_run(url, run_id, len(failed), error)
    return RunSummary(run_id, status, n_sites, results, time.monotonic() - t0)


def run_report(url: str | None, run_id: int) -> dict:
    """Figures of a run, for people: sites ok/failed, pages, columns, blank, broken links, letters."""
    with db.transaction(url) as cur:
        cur.execute("""
            select count(*), count(*) filter (where outcome = 'ok'), coalesce(sum(pages_fetched), 0),
                   coalesce(sum(links_checked), 0), count(*) filter (where navigation_only),
                   count(*) filter (where letters_status = 'read')
            from raw.gov_site__site_crawls where crawl_run_id = %s""", (run_id,))
        sites, ok, pages, links, nav_only, letters_sites = cur.fetchone()
        cur.execute("""
            select fail_class, count(*) from raw.gov_site__site_crawls
            where crawl_run_id = %s and outcome = 'failed' group by 1 order by 2 desc""", (run_id,))
        failures = dict(cur.fetchall())
        cur.execute("""
            select count(*) filter (where kind = 'column'), count(*) filter (where kind = 'column' and is_blank),
                   count(*) filter (where kind = 'column' and fail_class is not null),
                   count(*) filter (where kind = 'calendar')
            from marts.fct_gov_site__columns where crawl_run_id = %s""", (run_id,))
        columns, blank, col_failed, calendars = cur.fetchone()
        cur.execute("select count(*), count(*) filter (where on_homepage) from marts.fct_gov_site__broken_links "
                    "where crawl_run_id = %s", (run_id,))
        broken, broken_home = cur.fetchone()
        cur.execute("select count(*), count(*) filter (where replied_date is null) from raw.gov_site__letters "
                    "where crawl_run_id = %s", (run_id,))
        letters, unanswered = cur.fetchone()
        cur.execute("select fault_class, count(*) from raw.gov_site__faults where crawl_run_id = %s "
                    "group by 1 order by 2 desc", (run_id,))
        faults = dict(cur.fetchall())
        cur.execute("select count(*), coalesce(sum(raw_bytes), 0), coalesce(sum(length(body_zlib)), 0) "
                    "from raw.gov_site__snapshots where crawl_run_id = %s", (run_id,))
        snaps, snap_raw, snap_zip = cur.fetchone()
    return {"sites": sites, "ok": ok, "failures": failures, "pages": pages, "links": links, "nav_only": nav_only,
            "letters_sites": letters_sites, "columns": columns, "blank": blank, "columns_failed": col_failed,
            "calendars": calendars, "broken": broken, "broken_home": broken_home, "letters": letters,
            "unanswered": unanswered, "faults": faults, "snapshots": snaps, "snapshot_raw": snap_raw,
            "snapshot_zlib": snap_zip}


FAULT_WORDS = {"timeout": "超时", "connect": "连接失败", "dns": "域名解析失败", "reset": "连接被重置", "tls": "证书错误",
               "http_4xx": "4xx 错误", "http_5xx": "5xx 错误", "redirect_loop": "重定向循环", "too_large": "页面过大",
               "robots_disallowed": "robots.txt 禁止", "budget": "超出预算", "policy": "网络策略禁止",
               "trap": "翻页/日历陷阱", "bad_encoding": "编码无法识别", "parse_error": "解析失败",
               "empty_body": "空白页面", "other": "其他"}


def describe(rep: dict) -> list[str]:
    """The run's figures as operators write them."""
    fails = "，".join(f"{FAULT_WORDS.get(k, k)} {n} 个" for k, n in rep["failures"].items()) or "无"
    faults = "，".join(f"{FAULT_WORDS.get(k, k)} {n}" for k, n in rep["faults"].items()) or "无"
    return [
        f"采集网站 {rep['sites']} 个：首页可读 {rep['ok']} 个，首页无法采集 {rep['sites'] - rep['ok']} 个（{fails}）",
        f"抓取页面 {rep['pages']} 个，检查链接 {rep['links']} 个，其中断链 {rep['broken']} 个（首页 {rep['broken_home']} 个）",
        f"识别栏目 {rep['columns']} 个：空白栏目 {rep['blank']} 个，未能读取 {rep['columns_failed']} 个；"
        f"活动日历 {rep['calendars']} 个（陷阱，只读一页）；仅导航首页 {rep['nav_only']} 个",
        f"领导信箱 {rep['letters_sites']} 个网站，留言 {rep['letters']} 条，未回复 {rep['unanswered']} 条",
        f"异常记录：{faults}",
        f"证据快照 {rep['snapshots']} 个，原始 {rep['snapshot_raw'] / 1e6:.1f} MB，压缩后 {rep['snapshot_zlib'] / 1e6:.1f} MB",
    ]
