"""Deterministic page content: column items, letters and posts, computed on demand.

Nothing here is stored per item: an item is a pure function of (site key, column key, index, anchor),
so a site with thousands of articles costs nothing until a page is requested.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from govmon.sandbox import dates
from govmon.sandbox.scenario import AccountSpec, ColumnSpec, LetterSpec, SiteSpec


def h(*parts) -> int:
    """A stable 64-bit hash (independent of PYTHONHASHSEED)."""
    d = hashlib.blake2b("|".join(map(str, parts)).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(d, "big")


def hexid(*parts, n: int = 24) -> str:
    return hashlib.blake2b("|".join(map(str, parts)).encode("utf-8"), digest_size=16).hexdigest()[:n]


def pick(seq, *parts):
    return seq[h(*parts) % len(seq)]


def short_region(name: str) -> str:
    """The place an organisation belongs to: "鹰川市教育局" -> "鹰川市", "东湖县人民政府" -> "东湖县"."""
    for i, ch in enumerate(name):
        if ch in "市县区州旗盟" and i >= 1:
            return name[: i + 1]
    return name


TOPICS = ("安全生产", "乡村振兴", "优化营商环境", "防汛抗旱", "森林防火", "城乡环境整治", "稳就业", "医疗保障",
          "义务教育", "养老服务", "数字政府建设", "生态环境保护", "河长制", "消防安全", "食品安全", "文明城市创建",
          "农村人居环境整治", "项目建设", "招商引资", "民生实事", "政务公开", "社会信用体系建设", "耕地保护",
          "秋冬季森林防火", "高标准农田建设", "城市更新", "交通安全", "基层治理", "科技创新", "市场监管")
DYNAMIC_TITLES = ("{region}召开{topic}工作推进会", "{region}部署{topic}重点工作", "{org}开展{topic}专项检查",
                  "{region}{topic}工作取得阶段性成效", "{org}召开{topic}工作调度会", "市领导调研{topic}工作",
                  "{org}组织{topic}业务培训", "{region}举行{topic}现场观摩活动")
NOTICE_TITLES = ("关于开展{topic}专项行动的通知", "关于做好{topic}有关工作的通知", "关于{topic}的公示",
                 "关于征求《{topic}实施方案（征求意见稿）》意见的公告", "关于{topic}工作的通告",
                 "{org}关于{topic}的公告")
POLICY_TITLES = ("{org}关于印发《{region}{topic}实施方案》的通知", "{org}关于进一步加强{topic}工作的意见",
                 "{region}{topic}管理办法", "{org}关于印发《{topic}三年行动计划》的通知")
PERSONNEL_TITLES = ("{org}关于{name}等同志职务任免的通知", "{org}{year}年公开招聘工作人员公告",
                    "{org}干部任前公示", "{org}{year}年公开遴选公务员拟遴选人员公示")
PLAN_TITLES = ("{region}{year}年{topic}工作计划", "{region}“十五五”{topic}专项规划", "{org}{year}年工作要点",
               "{org}{year}年上半年工作总结和下半年工作计划")
OTHER_TITLES = ("{org}机构职能", "{org}领导分工", "{org}内设机构", "{org}联系方式")
TITLES = {"dynamic_news": DYNAMIC_TITLES, "notice": NOTICE_TITLES, "policy": POLICY_TITLES,
          "personnel": PERSONNEL_TITLES, "plan": PLAN_TITLES, "other": OTHER_TITLES}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文辉"
LETTER_TITLES = ("关于{topic}的咨询", "反映{place}{issue}问题", "建议加快{place}{issue}改造", "咨询{topic}相关政策",
                 "关于{place}{issue}的投诉", "{place}{issue}何时解决")
PLACES = ("城南小区", "人民路", "新城大道", "滨江花园", "东湖街道", "老火车站片区", "开发区", "城北农贸市场",
          "第三中学", "工业园区")
ISSUES = ("路灯不亮", "道路积水", "噪音扰民", "供暖不足", "停车难", "垃圾清运不及时", "断水", "占道经营",
          "公交线路调整", "学位紧张")
PARAGRAPHS = (
    "为深入贯彻落实党中央、国务院和省委、省政府决策部署，进一步做好{topic}工作，{org}高度重视，召开专题会议进行研究部署。",
    "会议指出，做好{topic}工作事关人民群众切身利益，各地各部门要提高政治站位，压实工作责任，确保各项任务落到实处。",
    "会议要求，要坚持问题导向，聚焦重点领域和关键环节，建立健全工作台账，实行清单化管理、项目化推进。",
    "下一步，{org}将持续加大工作力度，强化督促检查，及时总结推广经验做法，推动{topic}工作取得新成效。",
    "各县（市、区）、各有关部门主要负责同志参加会议。",
    "据统计，今年以来全{level}累计开展{topic}检查{n}次，发现并整改问题{m}个，群众满意度持续提升。",
)
REPOSTED_SOURCES = (("人民日报", 2803301701), ("新华社", 1699432410), ("中国政府网", 2656274875),
                    ("央视新闻", 2656274875 + 1), ("共青团中央", 3937348351), ("江西发布", 2418542712))


@dataclass(frozen=True)
class Item:
    column: ColumnSpec
    index: int
    age_days: float
    dt: datetime
    title: str


def column_item(site: SiteSpec, col: ColumnSpec, index: int, anchor: datetime) -> Item:
    """Item ``index`` (0 = newest) of a column. Trap columns repeat items modulo their count."""
    age = col.last_days_ago + index * col.interval_days
    jitter = h("dt", site.key, col.key, index)
    dt = dates.item_time(anchor, age, jitter)
    return Item(col, index, age, dt, item_title(site, col, index, dt))


def item_title(site: SiteSpec, col: ColumnSpec, index: int, dt: datetime) -> str:
    tmpl = pick(TITLES[col.type], "title", site.key, col.key, index)
    name = pick(SURNAMES, "sn", site.key, col.key, index) + pick(GIVEN, "gn", site.key, col.key, index)
    title = tmpl.format(region=short_region(site.name), org=site.organizer,
                        topic=pick(TOPICS, "topic", site.key, col.key, index), year=dt.year, name=name)
    return title


def item_paragraphs(site: SiteSpec, col: ColumnSpec, index: int) -> list[str]:
    topic = pick(TOPICS, "topic", site.key, col.key, index)
    level = "市" if "市" in site.name else "县"
    n = 3 + h("np", site.key, col.key, index) % 3
    out = []
    for k in range(n):
        p = PARAGRAPHS[(h("p", site.key, col.key, index) + k) % len(PARAGRAPHS)]
        out.append(p.format(topic=topic, org=site.organizer, level=level,
                            n=10 + h("n", site.key, index, k) % 300, m=3 + h("m", site.key, index, k) % 90))
    return out


def column_items(site: SiteSpec, col: ColumnSpec, anchor: datetime, start: int, stop: int) -> list[Item]:
    stop = min(stop, col.item_count)
    return [column_item(site, col, i, anchor) for i in range(max(0, start), stop)]


def homepage_items(site: SiteSpec, col: ColumnSpec, anchor: datetime, n: int) -> list[Item]:
    """The newest ``n`` items of a column the homepage shows (a stale homepage shows only old ones)."""
    if col.item_count == 0:
        return []
    min_age = site.homepage.last_update_days_ago
    first = 0
    if min_age is not None and min_age > col.last_days_ago:
        # first index whose age >= min_age
        import math

        first = max(0, math.ceil((min_age - col.last_days_ago) / col.interval_days - 1e-9))
    return column_items(site, col, anchor, first, first + n)


# --- letters -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Letter:
    index: int
    spec: LetterSpec
    asked: datetime
    replied: datetime | None
    title: str
    asker: str

    @property
    def status(self) -> str:
        return "已回复" if self.replied else "办理中"


def site_letters(site: SiteSpec, anchor: datetime) -> list[Letter]:
    out = []
    for i, spec in enumerate(site.letters.all()):
        asked = dates.item_time(anchor, spec.asked_days_ago, h("letter", site.key, i))
        replied = None
        if spec.reply_after_days is not None:
            r = asked + timedelta(days=spec.reply_after_days)
            if r <= anchor:
                replied = r
        tmpl = pick(LETTER_TITLES, "lt", site.key, i)
        title = tmpl.format(topic=pick(TOPICS, "ltopic", site.key, i), place=pick(PLACES, "lp", site.key, i),
                            issue=pick(ISSUES, "li", site.key, i))
        asker = pick(SURNAMES, "la", site.key, i) + "先生" if h("lg", site.key, i) % 2 else \
            pick(SURNAMES, "la", site.key, i) + "女士"
        out.append(Letter(i, spec, asked, replied, title, asker))
    return out


# --- posts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Post:
    index: int
    dt: datetime
    original: bool
    title: str
    text: str
    mid: int  # a Weibo-like 16-digit id: 49 + account index (5 digits… ) + post index (5 digits)
    repost_source: tuple[str, int] | None
    repost_dt: datetime | None


def is_original(share: float, i: int) -> bool:
    """Bresenham spread: post i is original iff floor((i+1)s) > floor(i s)."""
    from govmon.sandbox.faults import scheduled_failure

    if share >= 1:
        return True
    if share <= 0:
        return False
    return scheduled_failure(share, i)


POST_TITLES = ("【{topic}】{region}扎实推进{topic}工作", "{region}发布{topic}最新政策解读", "图解：{topic}要点速览",
               "权威发布｜{region}{topic}工作通报", "提醒！关于{topic}，这些事项请注意", "{region}{topic}十问十答",
               "今日{region}｜{topic}", "便民｜{topic}办理指南来了")


def account_posts(acct: AccountSpec, anchor: datetime) -> list[Post]:
    """Every post, newest first."""
    out = []
    region = short_region(acct.organizer)
    for i, age in enumerate(acct.posts.age_list()):
        dt = dates.item_time(anchor, age, h("post", acct.key, i))
        original = is_original(acct.posts.original, i)
        topic = pick(TOPICS, "ptopic", acct.key, i)
        title = pick(POST_TITLES, "pt", acct.key, i).format(topic=topic, region=region)
        text = f"{title}。" + pick(PARAGRAPHS, "pp", acct.key, i).format(
            topic=topic, org=acct.organizer, level="市", n=10 + i, m=3 + i)
        mid = 4_900_000_000_000_000 + acct.index * 100_000 + i
        src = None if original else pick(REPOSTED_SOURCES, "src", acct.key, i)
        rdt = None if original else dt - timedelta(hours=1 + h("rdt", acct.key, i) % 20)
        out.append(Post(i, dt, original, title, text, mid, src, rdt))
    return out
