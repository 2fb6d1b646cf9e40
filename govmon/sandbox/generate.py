"""Deterministic generator of a prefecture-sized scenario.

``generate_scenario(seed, n_sites, n_accounts)`` returns the scenario as a dict; ``generate_yaml``
returns the YAML text (byte-identical for the same arguments). The default size mirrors a real
prefecture (1 portal, ~10 county portals, departments; ~450 accounts in the platform mix of the
红河 2021 Q1 通报: 172 微信, 41 微博, 14 头条, 16 抖音 per 243). Every fault kind appears at least once;
most entities are healthy. The ``expect`` blocks are computed by :mod:`govmon.sandbox.expect`, where
every threshold lives (``THRESHOLDS``).

Larger runs (``--sites 14000``) add further fictional prefectures in the same province.
"""

from __future__ import annotations

import base64
import random

import yaml

from govmon.sandbox.expect import account_expect, site_expect
from govmon.sandbox.scenario import parse_scenario

PROVINCE = ("36", "江西省")
CITY_FIRST = "瑞青云锦汇凤龙金玉翠白清宁和永泰平兴昌丰"
CITY_SECOND = "阳峰溪屏川安泉山岭源城江湖"
COUNTY_FIRST = "东西南北上下中新安永和宁清白石金玉龙凤云青翠桃莲梅竹松柏"
COUNTY_SECOND = "湖山岭坪溪源阳川丰江塘桥口港田林州洲"
DEPARTMENTS = [
    ("发展和改革委员会", "发改"), ("教育局", "教育"), ("科学技术局", "科技"), ("工业和信息化局", "工信"),
    ("公安局", "公安"), ("民政局", "民政"), ("司法局", "司法"), ("财政局", "财政"),
    ("人力资源和社会保障局", "人社"), ("自然资源局", "自然资源"), ("生态环境局", "生态环境"),
    ("住房和城乡建设局", "住建"), ("交通运输局", "交通"), ("水利局", "水利"), ("农业农村局", "农业农村"),
    ("商务局", "商务"), ("文化广电新闻出版旅游局", "文旅"), ("卫生健康委员会", "卫健"), ("退役军人事务局", "退役军人"),
    ("应急管理局", "应急"), ("审计局", "审计"), ("市场监督管理局", "市场监管"), ("统计局", "统计"),
    ("医疗保障局", "医保"), ("林业局", "林业"), ("城市管理局", "城管"), ("行政审批局", "行政审批"),
    ("体育局", "体育"), ("信访局", "信访"), ("粮食和物资储备局", "粮食"),
]
TOWN_SUFFIX = ("镇", "镇", "镇", "乡", "街道")
ACCOUNT_SUFFIX = ("发布", "", "在线", "之窗", "资讯", "微讯")
MEDIA_UNITS = (("融媒体中心", "融媒"), ("消防救援大队", "消防"), ("气象局", "气象"), ("税务局", "税务"),
               ("公安局交通警察大队", "交警"), ("团委", "青年"), ("妇女联合会", "妇联"))
PLATFORM_MIX = (("微信", 172), ("微博", 41), ("今日头条", 14), ("抖音", 16))
PLATFORM_KEY = {"微信": "wx", "微博": "wb", "今日头条": "tt", "抖音": "dy"}
LIST_FORMATS = ("YYYY-MM-DD", "YYYY-MM-DD", "YYYY-MM-DD", "[MM-DD]", "YYYY年M月D日", "YYYY/MM/DD HH:mm", "MM-DD")
COUNTIES_PER_PREFECTURE = 10
DEPARTMENTS_PER_REGION = len(DEPARTMENTS)


# ----------------------------------------------------------------------------------------------
# fault recipes: each mutates a site dict; all are applied at least once


def _cols_default_dept():
    return [
        {"key": "gzdt", "name": "工作动态", "type": "dynamic_news", "last_days_ago": 1, "interval_days": 2, "count": 40},
        {"key": "tzgg", "name": "通知公告", "type": "notice", "last_days_ago": 3, "interval_days": 7, "count": 30},
        {"key": "zcwj", "name": "政策文件", "type": "policy", "last_days_ago": 8, "interval_days": 20, "count": 24},
        {"key": "rsxx", "name": "人事信息", "type": "personnel", "last_days_ago": 20, "interval_days": 45, "count": 10},
        {"key": "ghjh", "name": "规划计划", "type": "plan", "last_days_ago": 50, "interval_days": 120, "count": 6},
    ]


def r_down(s, rng):
    s["faults"] = {"down": True}


def r_slow(s, rng):
    s["faults"] = {"slow_ms": rng.choice((600, 900, 1500))}


def r_timeout(s, rng):
    s["faults"] = {"timeout": True}


def r_timeout_share(s, rng):
    s["faults"] = {"timeout_share": 0.1}


def r_5xx(s, rng):
    s["faults"] = {"http_5xx": rng.choice((500, 502, 503))}


def r_error_share_low(s, rng):  # below the 5 % threshold: still 合格
    s["faults"] = {"error_share": 0.02}


def r_fail_reset(s, rng):
    s["faults"] = {"fail_ratio": 0.08, "fail_mode": "reset"}


def r_fail_empty(s, rng):
    s["faults"] = {"fail_ratio": 0.05, "fail_mode": "empty"}


def r_broken_links(s, rng):
    s["faults"] = {"broken_links": rng.randint(5, 12), "broken_outbound": 2, "broken_image": True}


def r_broken_few(s, rng):
    s["faults"] = {"broken_links": 2}


def r_blank_columns(s, rng):
    s["faults"] = {"blank_columns": rng.randint(5, 7)}


def r_blank_few(s, rng):
    s["faults"] = {"blank_columns": 2}


def r_blank_per_column(s, rng):
    cols = _cols_default_dept()
    for i, (k, n) in enumerate((("zcjd", "政策解读"), ("sjfb", "数据发布"), ("gzcy", "公众参与"), ("xwfbh", "新闻发布会"),
                                ("zdxm", "重大项目"))):
        cols.append({"key": k, "name": n, "type": "other", "blank": True})
    s["columns"] = cols


def r_stale_columns(s, rng):
    cols = _cols_default_dept()
    cols[0]["last_days_ago"] = rng.choice((14, 20, 35))
    cols[1]["last_days_ago"] = rng.choice((183, 200, 260))
    cols[2]["last_days_ago"] = rng.choice((190, 240))
    cols.insert(0, {"key": "yw", "name": "要闻", "type": "dynamic_news", "last_days_ago": 2, "interval_days": 2,
                    "count": 30})
    cols += [{"key": "xwdt", "name": "新闻动态", "type": "dynamic_news", "last_days_ago": 16, "interval_days": 5,
              "count": 20},
             {"key": "xxdt", "name": "信息动态", "type": "dynamic_news", "last_days_ago": 40, "interval_days": 10,
              "count": 12}]
    s["columns"] = cols


def r_stale_few(s, rng):  # two stale columns: a deduction, not a veto
    s["column_overrides"] = {"gzdt": {"last_days_ago": 13}, "tzgg": {"last_days_ago": 190}} \
        if s.get("kind", "部门网站") == "部门网站" else {"bmdt": {"last_days_ago": 20}, "tzgg": {"last_days_ago": 190}}


def r_stale_long_term(s, rng):
    cols = _cols_default_dept()
    names = ("人事任免", "招录信息", "干部公示", "年度计划", "工作总结", "发展规划", "专项规划", "统计公报", "预算公开",
             "决算公开", "年度报告")
    for i, n in enumerate(names):
        cols.append({"key": f"cq{i + 1:02d}", "name": n, "type": "personnel" if i < 3 else "plan",
                     "last_days_ago": 365 + rng.randint(0, 300), "interval_days": 180, "count": 4})
    s["columns"] = cols


def r_stale_homepage(s, rng):
    s["homepage"] = {"last_update_days_ago": rng.choice((14, 21, 40))}


def r_homepage_13(s, rng):
    s["homepage"] = {"last_update_days_ago": 13}


def r_navigation_only(s, rng):
    s["homepage"] = {"navigation_only": True}


def r_navigation_only_stale(s, rng):
    cols = _cols_default_dept()
    for c in cols:
        c["last_days_ago"] = max(c["last_days_ago"], 15)
    s["columns"] = cols
    s["homepage"] = {"navigation_only": True}


def r_letters_overdue(s, rng):
    s["letters"] = {"items": [{"asked_days_ago": rng.randint(95, 300), "reply_after_days": None},
                              {"asked_days_ago": 200, "reply_after_days": rng.randint(91, 150)}]}


def r_letters_slow_ok(s, rng):  # answered in 60 days: slow, not a veto
    s["letters"] = {"reply_after_days": 60, "count": 12, "interval_days": 20}


def r_redirect_home(s, rng):
    s["faults"] = {"redirect_loop": True}


def r_redirect_path(s, rng):
    s["faults"] = {"redirect_loop": "/zxft/index.html"}


def r_pagination_trap(s, rng):
    s["faults"] = {"pagination_trap": True}


def r_calendar_trap(s, rng):
    s["faults"] = {"calendar_trap": True}


def r_identity(s, rng):
    s["faults"] = {"identity_mismatch": True}


def r_identity_footer(s, rng):
    s["footer"] = {"organizer": s["organizer"].replace("局", "局办公室", 1) + "（原）"}


def r_undated(s, rng):
    s["column_overrides"] = {"rsxx": {"undated": True}, "ghjh": {"pubdate_meta": False}}


SITE_RECIPES = [r_down, r_slow, r_timeout, r_timeout_share, r_5xx, r_error_share_low, r_fail_reset, r_fail_empty,
                r_broken_links, r_broken_few, r_blank_columns, r_blank_few, r_blank_per_column, r_stale_columns,
                r_stale_few, r_stale_long_term, r_stale_homepage, r_homepage_13, r_navigation_only,
                r_navigation_only_stale, r_letters_overdue, r_letters_slow_ok, r_redirect_home, r_redirect_path,
                r_pagination_trap, r_calendar_trap, r_identity, r_identity_footer, r_undated]


# account recipes


def a_stale14(a, rng):
    a["posts"].update(last_days_ago=14)


def a_stale13(a, rng):
    a["posts"].update(last_days_ago=13)


def a_stale_long(a, rng):
    a["posts"].update(last_days_ago=rng.choice((30, 60, 120)), interval_days=10)


def a_renamed(a, rng):
    a["live_name"] = a["name"] + rng.choice(("发布", "微讯", "在线", "之声"))


def a_vanished(a, rng):
    a["faults"] = {"vanished": rng.choice((True, "migrated", "banned")) if a["platform"] == "微信" else True}


def a_vanished_empty(a, rng):
    a["faults"] = {"vanished": "empty"}


def a_blocked(a, rng):
    a["faults"] = {"blocked": rng.choice((418, 432))}


def a_feed_down(a, rng):
    a["faults"] = {"feed_down": rng.choice((502, 503))}


def a_original_only(a, rng):
    a["posts"]["original"] = "original_only"


def a_repost_only(a, rng):
    a["posts"]["original"] = "repost_only"


def a_no_interaction(a, rng):
    a["interaction"] = {"comments_open": False, "menu": []}


def a_slow(a, rng):
    a["faults"] = {"slow_ms": 700}


ACCOUNT_RECIPES = [a_stale14, a_stale13, a_stale_long, a_renamed, a_vanished, a_blocked, a_feed_down,
                   a_original_only, a_repost_only, a_no_interaction, a_slow]
# a_vanished_empty only on WeChat (an empty history list)


# ----------------------------------------------------------------------------------------------


def _unique_names(rng: random.Random, first: str, second: str, n: int, taken: set) -> list[str]:
    out = []
    if n <= 0:
        return out
    pairs = [a + b for a in first for b in second if a != b]
    rng.shuffle(pairs)
    for p in pairs:
        if p not in taken:
            taken.add(p)
            out.append(p)
            if len(out) == n:
                return out
    # two-character names exhausted (huge worlds): three characters
    triples = [a + b + c for a in first for b in second for c in first if a != b and a != c]
    rng.shuffle(triples)
    for p in triples:
        if p not in taken:
            taken.add(p)
            out.append(p)
            if len(out) == n:
                return out
    raise ValueError("name pool exhausted")


def _split(total: int, weights) -> list[int]:
    """Largest-remainder split of ``total`` by integer weights."""
    wsum = sum(weights)
    raw = [total * w / wsum for w in weights]
    out = [int(x) for x in raw]
    order = sorted(range(len(weights)), key=lambda i: (out[i] - raw[i], i))
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


def _new_account_id(rng: random.Random, platform: str, used: set) -> str:
    """A unique, realistic-looking platform id: Weibo uid, WeChat __biz, Douyin sec_uid, Toutiao uid."""
    while True:
        if platform == "微博":
            v = str(rng.randint(1_000_000_000, 7_999_999_999))
        elif platform == "微信":
            v = base64.b64encode(str(rng.randint(2_390_000_000, 3_999_999_999)).encode()).decode()
        elif platform == "抖音":
            v = "MS4wLjABAAAA" + base64.urlsafe_b64encode(rng.randbytes(33)).decode()[:43]
        else:
            v = str(rng.randint(50_000_000_000, 99_999_999_999))
        if (platform, v) not in used:
            used.add((platform, v))
            return v


def _site_dict(rng, key, name, code, organizer, region, kind, template):
    s = {"key": key, "name": name, "site_code": code, "organizer": organizer, "region_code": region}
    if kind != "部门网站":
        s["kind"] = kind
    s["template"] = template
    r = rng.random()
    if r < 0.15:
        s["encoding"] = "gbk"
        if rng.random() < 0.3:
            s["declared_charset"] = rng.choice(("utf-8", "gb2312"))
    elif r < 0.25:
        s["declared_charset"] = "gb2312"  # UTF-8 bytes that claim gb2312
    elif r < 0.30:
        s["declared_charset"] = "none"
        if rng.random() < 0.5:
            s["header_charset"] = True
    fmt = rng.choice(LIST_FORMATS)
    if fmt != "YYYY-MM-DD":
        s["date_format"] = fmt
    return s


def generate_scenario(seed: int = 2026, n_sites: int = 50, n_accounts: int = 450, anchor: str = "now") -> dict:
    if n_sites < 1:
        raise ValueError("n_sites must be at least 1")
    rng = random.Random(seed)
    pp = PROVINCE[0]
    regions = [{"code": f"{pp}0000", "name": PROVINCE[1]}]
    sites: list[dict] = []
    orgs: list[tuple[str, str, str]] = []  # (organizer, short name for accounts, region code)
    taken_city, taken_county = set(), set()
    per_prefecture = 1 + COUNTIES_PER_PREFECTURE * (1 + DEPARTMENTS_PER_REGION) + DEPARTMENTS_PER_REGION
    pref_no = 90 + rng.randint(0, 5) if n_sites <= 3 * per_prefecture else 1
    if n_sites > 99 * per_prefecture:
        raise ValueError(f"at most {99 * per_prefecture} sites fit in one province in this generator")
    remaining = n_sites
    while remaining > 0:
        if pref_no > 99:
            raise ValueError("too many sites for one province in this generator")
        city = _unique_names(rng, CITY_FIRST, CITY_SECOND, 1, taken_city)[0] + "市"
        cc = f"{pp}{pref_no:02d}"
        regions.append({"code": f"{cc}00", "name": city})
        n_counties = min(COUNTIES_PER_PREFECTURE, max(0, (remaining - 1) // 4)) if remaining > 1 else 0
        counties = []
        for i, base in enumerate(_unique_names(rng, COUNTY_FIRST, COUNTY_SECOND, n_counties, taken_county)):
            suffix, dd = ("区", f"{i + 2:02d}") if i < 2 else ("市", "81") if i == n_counties - 1 and n_counties > 4 \
                else ("县", f"{19 + i:02d}")
            cname = base + suffix
            counties.append((cname, f"{cc}{dd}"))
            regions.append({"code": f"{cc}{dd}", "name": cname})
        short_city = city[:-1]
        serial = {f"{cc}00": 1}
        # portal
        org = f"{city}人民政府办公室"
        sites.append(_site_dict(rng, f"p{cc}00", f"{city}人民政府", f"{cc}000001", org, f"{cc}00", "政府门户网站", "jiangxi"))
        sites[-1]["sitepath"] = f"p{cc}00"
        orgs.append((org, short_city, f"{cc}00"))
        remaining -= 1
        for cname, code in counties:
            if remaining <= 0:
                break
            serial[code] = 1
            org = f"{cname}人民政府办公室"
            sites.append(_site_dict(rng, f"p{code}", f"{cname}人民政府", f"{code}0001", org, code, "政府门户网站",
                                    rng.choice(("trs", "hanweb", "jiangxi"))))
            orgs.append((org, cname[:-1], code))
            remaining -= 1
        # departments: the city's first, then the counties' (round robin)
        dept_slots = [(city, short_city, f"{cc}00", d) for d in DEPARTMENTS]
        for d in DEPARTMENTS:
            for cname, code in counties:
                dept_slots.append((cname, cname[:-1], code, d))
        for place, short, code, (dname, dshort) in dept_slots:
            if remaining <= 0:
                break
            serial[code] += 1
            name = f"{place}{dname}"
            key = f"d{code}{serial[code]:02d}"
            t = rng.choices(("trs", "hanweb", "jiangxi"), weights=(4, 3, 3))[0]
            sites.append(_site_dict(rng, key, name, f"{code}{serial[code]:04d}", name, code, "部门网站", t))
            orgs.append((name, short + dshort, code))
            remaining -= 1
        # towns and other units (accounts only)
        for cname, code in counties:
            for tname in _unique_names(rng, COUNTY_FIRST, COUNTY_SECOND, 4, set()):
                town = tname + rng.choice(TOWN_SUFFIX)
                orgs.append((f"{cname}{town}人民政府" if not town.endswith("街道") else f"{cname}{town}办事处",
                             tname + town[-1], code))
        for unit, ushort in MEDIA_UNITS:
            orgs.append((f"{city}{unit}", short_city + ushort, f"{cc}00"))
        pref_no += 1

    # site faults: every recipe at least once (when there is room), on shuffled non-portal sites first
    candidates = [i for i, s in enumerate(sites) if s.get("kind") != "政府门户网站"]
    portals = [i for i, s in enumerate(sites) if s.get("kind") == "政府门户网站" and i != 0]
    rng.shuffle(candidates)
    rng.shuffle(portals)
    order = candidates + portals
    n_faulty = min(len(order), max(len(SITE_RECIPES), round(len(sites) * 0.3)))
    for j, idx in enumerate(order[:n_faulty]):
        recipe = SITE_RECIPES[j % len(SITE_RECIPES)]
        recipe(sites[idx], rng)

    # accounts
    accounts = []
    counts = _split(n_accounts, [w for _, w in PLATFORM_MIX])
    used_names = set()
    used_ids: set = set()
    for (platform, _), n in zip(PLATFORM_MIX, counts):
        pk = PLATFORM_KEY[platform]
        for i in range(n):
            org, short, code = orgs[(i * 7 + rng.randint(0, 3)) % len(orgs)] if platform != "微信" else \
                orgs[i % len(orgs)]
            name = short + rng.choice(ACCOUNT_SUFFIX)
            k = 2
            while (platform, name) in used_names:
                name = f"{short}{rng.choice(ACCOUNT_SUFFIX)}{'二三四五六七八九十'[min(k - 2, 8)]}"
                k += 1
                if k > 12:
                    name = f"{short}{i}"
            used_names.add((platform, name))
            a = {"key": f"{pk}{i + 1:04d}", "name": name, "platform": platform,
                 "account_id": _new_account_id(rng, platform, used_ids), "organizer": org, "region_code": code}
            if platform == "微信":
                r = rng.random()
                if r < 0.15:
                    a["endpoint"] = "wechat_publish"
                elif r < 0.30:
                    a["endpoint"] = "rss"
                if rng.random() < 0.3:
                    a["msglist"] = "string"
                if rng.random() < 0.2:
                    a["account_type"] = "服务号"
            elif platform == "微博":
                if rng.random() < 0.2:
                    a["created_at_style"] = "rfc2822"
            else:
                r = rng.random()
                if r < 0.15:
                    a["endpoint"] = "atom"
                elif r < 0.30:
                    a["endpoint"] = "json"
                fr = rng.random()
                if fr < 0.3:
                    a["feed"] = {"date_format": rng.choice(("date_only_utc", "cn"))}
                    if rng.random() < 0.3:
                        a["feed"]["encoding"] = "gb2312"
            a["posts"] = {"last_days_ago": rng.choice((0, 0, 1, 1, 2, 3, 5, 7, 10)),
                          "interval_days": rng.choice((1, 1, 2, 3, 5)),
                          "count": rng.randint(15, 45),
                          "original": round(rng.uniform(0.5, 1.0), 2)}
            accounts.append(a)
    # account faults: every recipe at least once, ~8 % of accounts
    idx = list(range(len(accounts)))
    rng.shuffle(idx)
    n_faulty = min(len(idx), max(len(ACCOUNT_RECIPES) + 1, round(len(accounts) * 0.08)))
    wechat_done = False
    for j, i in enumerate(idx[:n_faulty]):
        a = accounts[i]
        if not wechat_done and a["platform"] == "微信":
            a_vanished_empty(a, rng)
            wechat_done = True
            continue
        ACCOUNT_RECIPES[j % len(ACCOUNT_RECIPES)](a, rng)
    # make sure each platform format shows up at least once (small worlds)
    scenario = {
        "name": "demo",
        "description": f"生成的虚构地市政府网站与政务新媒体场景（seed {seed}，{len(sites)} 个网站，{len(accounts)} 个账号）",
        "anchor": anchor,
        "seed": seed,
        "regions": regions,
        "sites": sites,
        "accounts": accounts,
    }
    # expectations from the loaded (defaults applied) scenario
    loaded = parse_scenario(scenario)
    for s, spec in zip(sites, loaded.sites):
        s["expect"] = _expect_dict(site_expect(spec))
    for a, spec in zip(accounts, loaded.accounts):
        a["expect"] = _expect_dict(account_expect(spec))
    return scenario


def _expect_dict(e) -> dict:
    d = {"verdict": e.verdict}
    if e.vetoes:
        d["vetoes"] = list(e.vetoes)
    if e.problems:
        d["problems"] = list(e.problems)
    return d


class _Dumper(yaml.SafeDumper):
    pass


def _repr_dict(dumper, data):
    # small leaf mappings inline, the rest as blocks
    flow = all(not isinstance(v, (dict, list)) or (isinstance(v, list) and all(not isinstance(x, (dict, list))
                                                                               for x in v)) for v in data.values()) \
        and len(data) <= 6
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=flow)


_Dumper.add_representer(dict, _repr_dict)


def generate_yaml(seed: int = 2026, n_sites: int = 50, n_accounts: int = 450, anchor: str = "now") -> str:
    data = generate_scenario(seed, n_sites, n_accounts, anchor)
    header = (f"# GENERATED by: python -m govmon.sandbox generate --seed {seed} --sites {n_sites} "
              f"--accounts {n_accounts}{'' if anchor == 'now' else ' --anchor ' + anchor} --out <file>\n"
              "# Do not edit by hand: tests compare this file with a fresh generation.\n"
              "# Schema: govmon/sandbox/README.md. Expectations: govmon/sandbox/expect.py (national-2019).\n")
    body = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=110)
    return header + body


def generate_json(seed: int = 2026, n_sites: int = 50, n_accounts: int = 450, anchor: str = "now") -> str:
    """The same scenario as JSON (loads much faster than YAML for benchmark-sized worlds)."""
    import json

    return json.dumps(generate_scenario(seed, n_sites, n_accounts, anchor), ensure_ascii=False, indent=1) + "\n"
