"""What a 通报 says, gathered from the published verdicts and their roll-ups.

Every figure comes from ``marts.fct_quarterly_rollup`` (what the dashboards show) and every table
row from ``marts.fct_entity_verdicts`` / the published run's check evidence, so the report, the
dashboards and the export agree.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from govmon import config, db
from govmon.quarters import TZ, Quarter

SITE_KINDS = ("政府门户网站", "部门网站")
PLATFORMS = ("微信", "微博", "抖音", "今日头条", "快手", "其他")
_PAREN = re.compile(r"（[^）]*）")


class ReportError(RuntimeError):
    pass


@dataclass
class Settings:
    """Who issues the 通报, to whom, and the 工作要求 details (config/report.yaml, or --settings)."""
    issuer: str = "市人民政府办公室"
    addressees: str = "各县（市、区）人民政府，市政府各部门"
    deadline_days: int = 15
    deadline: str | None = None          # an explicit date (YYYY-MM-DD) wins over deadline_days
    contact: str = ""                    # 联系人及电话、邮箱
    public: str = "此件公开发布"

    @classmethod
    def load(cls, path: str | Path | None = None) -> "Settings":
        path = Path(path) if path else config.PROJECT_ROOT / "config" / "report.yaml"
        if not path.is_file():
            return cls()
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise ReportError(f"{path}: 未知的设置项 {', '.join(sorted(unknown))}")
        return cls(**data)


@dataclass
class Tally:
    label: str
    total: int
    passed: int
    failed: int
    undecided: int
    pending: int
    pass_rate: float | None
    previous_pass_rate: float | None
    change: float | None


@dataclass
class ReportData:
    quarter: Quarter
    scope_code: str
    scope_name: str
    scope_level: str
    issue_date: dt.date
    settings: Settings
    run_id: int
    as_of: dt.datetime
    profile: str
    profile_values: dict
    unverified: list[str]
    sites: Tally | None
    site_kinds: list[Tally]
    accounts: Tally | None
    platforms: list[Tally]
    problems: dict[str, list[tuple[str, list[str]]]]   # entity label → [(problem type, [names])]
    failing_sites: list[dict]
    problem_columns: list[dict]
    failing_accounts: list[dict]
    overdue_letters: list[dict]
    undecided: list[dict]
    pending_reviews: int
    coverage: list[tuple[str, int, int]]  # (check, decided, total)

    @property
    def deadline(self) -> str:
        if self.settings.deadline:
            return self.settings.deadline
        return (self.issue_date + dt.timedelta(days=self.settings.deadline_days)).isoformat()

    @property
    def region_word(self) -> str:
        return "全市" if self.scope_level == "prefecture" else "全县（市、区）"


def problem_type(problem: str) -> str:
    """已改名（新名）系统中未改名 → 已改名系统中未改名: one group per kind of problem."""
    return _PAREN.sub("", problem)


def _tally(row, label: str) -> Tally:
    total, passed, failed, undecided, pending, rate, prev_rate, change = row
    return Tally(label, total, passed, failed, undecided, pending,
                 float(rate) if rate is not None else None,
                 float(prev_rate) if prev_rate is not None else None,
                 float(change) if change is not None else None)


def gather(quarter: Quarter | str, region: str | None = None, settings: Settings | None = None,
           issue_date: dt.date | None = None, url: str | None = None, run_id: int | None = None) -> ReportData:
    quarter = Quarter.parse(quarter) if isinstance(quarter, str) else quarter
    settings = settings or Settings.load()
    issue_date = issue_date or dt.datetime.now(TZ).date()
    with db.transaction(url) as cur:
        if run_id is None:
            cur.execute("select run_id from verdicts.published where quarter = %s", (str(quarter),))
            row = cur.fetchone()
            if row is None:
                raise ReportError(f"{quarter} 还没有已发布的结论：先运行 govmon verdicts compute --quarter {quarter}")
            run_id = row[0]
        cur.execute("select as_of, profile_name, profile_version, profile, unverified from verdicts.runs "
                    "where run_id = %s", (run_id,))
        as_of, pname, pversion, pvalues, unverified = cur.fetchone()
        as_of = as_of.astimezone(TZ)

        cur.execute("select distinct substr(region_code, 1, 4) || '00' from verdicts.entity_verdicts where run_id = %s",
                    (run_id,))
        prefectures = sorted(r[0] for r in cur.fetchall())
        if region is None:
            if len(prefectures) != 1:
                raise ReportError(f"结论涉及多个地市（{'、'.join(prefectures)}），请用 --region 指定范围")
            region = prefectures[0]
        level = "prefecture" if region.endswith("00") else "county"
        cur.execute("select name from registry.regions where region_code = %s", (region,))
        row = cur.fetchone()
        scope_name = row[0] if row else region

        def rollup(entity_type: str, category: str):
            cur.execute(
                """
                select total, passed, failed, undecided, pending, pass_rate, previous_pass_rate, pass_rate_change
                from marts.fct_quarterly_rollup
                where quarter = %s and scope_level = %s and scope_code = %s and entity_type = %s and category = %s
                """,
                (str(quarter), level, region, entity_type, category),
            )
            return cur.fetchone()

        # the roll-up view reads the published run; a report on another run (复核) computes the same way
        scope_filter = "region_code = %s" if level == "county" else "substr(region_code, 1, 4) || '00' = %s"
        if run_id_is_published(cur, quarter, run_id):
            totals = rollup("site", "全部")
            sites = _tally(totals, "政府网站") if totals else None
            kinds = [_tally(r, k) for k in SITE_KINDS if (r := rollup("site", k))]
            totals = rollup("account", "全部")
            accounts = _tally(totals, "政务新媒体") if totals else None
            platforms = [_tally(r, p) for p in PLATFORMS if (r := rollup("account", p))]
        else:
            sites, kinds, accounts, platforms = _tallies_for_run(cur, run_id, scope_filter, region)

        cur.execute(
            f"""
            select entity_type, entity_id, name, code, url, organizer, platform, account_type, kind, verdict,
                   problems, unknown_reasons, pending_review, region_code
            from verdicts.entity_verdicts
            where run_id = %s and {scope_filter}
            order by entity_type desc, case kind when '政府门户网站' then 0 else 1 end, region_code, code
            """,
            (run_id, region),
        )
        entities = [dict(zip(("entity_type", "entity_id", "name", "code", "url", "organizer", "platform",
                              "account_type", "kind", "verdict", "problems", "unknown_reasons", "pending_review",
                              "region_code"), r)) for r in cur.fetchall()]
        ids = {e["entity_id"] for e in entities if e["entity_type"] == "site"}
        problem_columns, overdue = _crawl_annexes(cur, run_id, ids, {e["entity_id"]: e for e in entities
                                                                      if e["entity_type"] == "site"})
        cur.execute(
            f"""
            select r.indicator || ' ' || coalesce(i.title, r.check_name),
                   count(*) filter (where r.status <> 'unknown'), count(*)
            from verdicts.check_results r
            join verdicts.entity_verdicts v using (run_id, entity_type, entity_id)
            left join verdicts.indicators i on i.indicator = r.indicator
            where r.run_id = %s and {scope_filter.replace('region_code', 'v.region_code')}
            group by r.indicator, i.title, r.check_name order by r.indicator, r.check_name
            """,
            (run_id, region),
        )
        coverage = [(name, decided, total) for name, decided, total in cur.fetchall()]

    problems: dict[str, list[tuple[str, list[str]]]] = {}
    for label, et in (("政府网站", "site"), ("政务新媒体", "account")):
        groups: dict[str, list[str]] = {}
        for e in entities:
            if e["entity_type"] != et or e["verdict"] != "不合格":
                continue
            for p in e["problems"]:
                groups.setdefault(problem_type(p), []).append(e["name"])
        problems[label] = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))

    failing_sites = [{"网站名称": e["name"], "网站标识码": e["code"], "首页网址": e["url"] or "",
                      "检查结果": e["verdict"], "突出问题": "；".join(e["problems"])}
                     for e in entities if e["entity_type"] == "site" and e["verdict"] == "不合格"]
    failing_accounts = [{"填报单位": e["organizer"], "账号类型": e["account_type"] or e["platform"],
                         "账号名称": e["name"], "检查结果": e["verdict"], "突出问题": "；".join(e["problems"])}
                        for e in entities if e["entity_type"] == "account" and e["verdict"] == "不合格"]
    undecided = [{"对象": e["name"], "标识": e["code"], "原因": "；".join(e["unknown_reasons"])}
                 for e in entities if e["verdict"] == "无法判定"]
    pending = sum(len(e["pending_review"]) for e in entities)
    return ReportData(
        quarter=quarter, scope_code=region, scope_name=scope_name, scope_level=level, issue_date=issue_date,
        settings=settings, run_id=run_id, as_of=as_of, profile=f"{pname} v{pversion}", profile_values=pvalues,
        unverified=list(unverified), sites=sites, site_kinds=kinds, accounts=accounts, platforms=platforms,
        problems=problems, failing_sites=failing_sites, problem_columns=problem_columns,
        failing_accounts=failing_accounts, overdue_letters=overdue, undecided=undecided, pending_reviews=pending,
        coverage=coverage,
    )


def run_id_is_published(cur, quarter: Quarter, run_id: int) -> bool:
    cur.execute("select 1 from verdicts.published where quarter = %s and run_id = %s", (str(quarter), run_id))
    return cur.fetchone() is not None


def _tallies_for_run(cur, run_id: int, scope_filter: str, region: str):
    """Counts for a run that is not the published one (a 复核): the same arithmetic as the roll-up view."""
    def tally(label, et, cond="true", params=()):
        cur.execute(
            f"""
            select count(*), count(*) filter (where verdict = '合格'), count(*) filter (where verdict = '不合格'),
                   count(*) filter (where verdict = '无法判定'), count(*) filter (where verdict = '待审核'),
                   round(100.0 * count(*) filter (where verdict = '合格') / nullif(count(*), 0), 1), null, null
            from verdicts.entity_verdicts where run_id = %s and entity_type = %s and {scope_filter} and {cond}
            """,
            (run_id, et, region, *params),
        )
        row = cur.fetchone()
        return _tally(row, label) if row[0] else None

    sites = tally("政府网站", "site")
    kinds = [t for k in SITE_KINDS if (t := tally(k, "site", "kind = %s", (k,)))]
    accounts = tally("政务新媒体", "account")
    platforms = [t for p in PLATFORMS if (t := tally(p, "account", "platform = %s", (p,)))]
    return sites, kinds, accounts, platforms


def _crawl_annexes(cur, run_id: int, site_ids: set[int], sites: dict[int, dict]):
    """附件2 (problem columns) and 附件4 (overdue letters per unit) from the website checks' evidence.

    W-V4's evidence lists the stale and blank columns (``columns``: path, problem, optional unit),
    also below the veto count (a 通报 names problem columns of sites that passed); W-V5's lists the
    overdue letters (``overdue_letters``, optional unit). The responsible unit defaults to the site's
    主办单位. A site whose checks carry no such evidence adds no rows.
    """
    cur.execute(
        """
        select entity_id, indicator, evidence from verdicts.check_results
        where run_id = %s and entity_type = 'site' and indicator in ('W-V4', 'W-V5')
        """,
        (run_id,),
    )
    columns, letters = [], {}
    for entity_id, indicator, evidence in cur.fetchall():
        if entity_id not in site_ids:
            continue
        site = sites[entity_id]
        if indicator == "W-V4":
            cols = evidence.get("columns")
            for col in cols if isinstance(cols, list) else []:
                columns.append({"责任单位": col.get("unit") or site["organizer"],
                                "栏目路径": col.get("path") or col.get("name") or col.get("url", ""),
                                "问题描述": col.get("problem", ""), "网站": site["name"]})
        else:
            letters_seen = evidence.get("overdue_letters")
            for letter in letters_seen if isinstance(letters_seen, list) else []:
                unit = letter.get("unit") or site["organizer"]
                letters[unit] = letters.get(unit, 0) + 1
    overdue = [{"单位": unit, "超期次数": n} for unit, n in sorted(letters.items(), key=lambda kv: (-kv[1], kv[0]))]
    return columns, overdue
