"""Per-site overrides operators set: ``config/site_overrides.yaml`` (or the file named by
``GOVMON_SITE_OVERRIDES``), keyed by 网站标识码. Example::

    sites:
      "3699000003":                    # 网站标识码
        columns:                        # match a column by the URL of its list page (path or full URL) or its name
          - {url: /col/col1500023/index.html, type: policy}          # force the type
          - {name: 财政数据, type: other, level: 2}
          - {name: 活动日历, ignore: true}                            # not a column
          - {url: /col/xxgk/index.html, name: 信息公开, type: other}   # a column the navigation does not show
          - {name: 咨询投诉, letters: true}                           # this is the 政务咨询 (letters) channel
        letters_url: /hdjl/ldxx/index.html   # the 领导信箱 list, when the navigation does not link it
        page_budget: 800                      # GET pages for this site (default GOVMON_CRAWL_PAGE_BUDGET)
        link_budget: 5000                     # link checks (default GOVMON_CRAWL_LINK_BUDGET)
        time_budget_seconds: 1800             # default GOVMON_CRAWL_SITE_SECONDS
        obey_robots: false                    # an inspection the site owner agreed to may ignore robots.txt

Types: dynamic_news (动态/要闻), notice (通知公告), policy (政策文件), personnel (人事), plan (规划计划),
interaction (互动交流), service (办事服务), other. An override wins over what the page says.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import yaml

from govmon import config
from govmon.parsing.columns import TYPES

SITE_KEYS = {"columns", "letters_url", "page_budget", "link_budget", "time_budget_seconds", "obey_robots"}
COLUMN_KEYS = {"url", "name", "type", "level", "ignore", "letters"}
_CODE = re.compile(r"^(\d{10}|bm\d{8})$")


class OverridesError(ValueError):
    """An overrides file is invalid; ``problems`` lists every error as ``file: path: reason``."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def overrides_path() -> Path:
    return Path(os.environ.get("GOVMON_SITE_OVERRIDES") or config.PROJECT_ROOT / "config" / "site_overrides.yaml")


def load_overrides(path: str | os.PathLike | None = None) -> dict[str, dict]:
    """{网站标识码: settings}; an absent file is no overrides. Raises OverridesError."""
    path = Path(path) if path else overrides_path()
    if not path.exists():
        return {}
    name = path.name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise OverridesError([f"{name}: 无法读取（应为 UTF-8 编码的 YAML）：{exc}"]) from None
    if not isinstance(data, dict) or set(data) - {"sites"}:
        raise OverridesError([f"{name}: 顶层应只有 sites: 一个键"])
    sites = data.get("sites") or {}
    if not isinstance(sites, dict):
        raise OverridesError([f"{name}: sites 应为“网站标识码: 设置”的映射"])
    problems: list[str] = []
    out: dict[str, dict] = {}
    for code, settings in sites.items():
        code = str(code)
        where = f"{name}: sites.{code}"
        if not _CODE.match(code):
            problems.append(f"{where}: 网站标识码应为10位数字或 bm 加8位数字")
            continue
        if not isinstance(settings, dict):
            problems.append(f"{where}: 应为键值映射")
            continue
        for key in sorted(set(settings) - SITE_KEYS):
            problems.append(f"{where}.{key}: 未知的键（可用：{', '.join(sorted(SITE_KEYS))}）")
        for key in ("page_budget", "link_budget", "time_budget_seconds"):
            v = settings.get(key)
            if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)) or v <= 0):
                problems.append(f"{where}.{key}: 应为正数")
        if "obey_robots" in settings and not isinstance(settings["obey_robots"], bool):
            problems.append(f"{where}.obey_robots: 应为 true 或 false")
        cols = settings.get("columns") or []
        if not isinstance(cols, list):
            problems.append(f"{where}.columns: 应为列表")
            cols = []
        for i, col in enumerate(cols):
            cw = f"{where}.columns[{i}]"
            if not isinstance(col, dict):
                problems.append(f"{cw}: 应为键值映射")
                continue
            for key in sorted(set(col) - COLUMN_KEYS):
                problems.append(f"{cw}.{key}: 未知的键（可用：{', '.join(sorted(COLUMN_KEYS))}）")
            if not col.get("url") and not col.get("name"):
                problems.append(f"{cw}: 须给出 url 或 name 以匹配栏目")
            if col.get("type") is not None and col["type"] not in TYPES:
                problems.append(f"{cw}.type: 取值无效：应为 {', '.join(TYPES)} 之一，实为“{col['type']}”")
            if col.get("level") is not None and col["level"] not in (1, 2, 3):
                problems.append(f"{cw}.level: 应为 1、2 或 3")
        out[code] = settings
    if problems:
        raise OverridesError(problems)
    return out
