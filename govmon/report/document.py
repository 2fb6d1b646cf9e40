"""The 通报 as a sequence of blocks, in the shape city offices publish (see ../shared/seeds):
title, addressees, 一、总体情况, 二、主要问题, 三、工作要求, the list of 附件, the signature, then each
附件 on a new page (tables in the seeds' columns) and a method note. The Markdown and Word
renderers both draw from these blocks, so the two carry the same content.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from govmon.report.data import ReportData, Tally

CN_NUM = "一二三四五六七八九十"


@dataclass
class Block:
    kind: str   # title | addressee | h1 | h2 | para | list | signature | annex | note
    text: str = ""
    lines: list[str] = field(default_factory=list)
    number: int = 0
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


def _rate(t: Tally) -> str:
    return "—" if t.pass_rate is None else f"{t.pass_rate:.1f}%"


def _change(t: Tally) -> str:
    if t.change is None:
        return ""
    if t.change > 0:
        return f"，较上季度提高{t.change:.1f}个百分点"
    if t.change < 0:
        return f"，较上季度下降{-t.change:.1f}个百分点"
    return "，与上季度持平"


def _others(t: Tally) -> str:
    extra = []
    if t.undecided:
        extra.append(f"无法判定{t.undecided}个")
    if t.pending:
        extra.append(f"待审核{t.pending}个")
    return ("，" + "，".join(extra)) if extra else ""


def _breakdown(parts: list[Tally]) -> str:
    return "（" + "，".join(f"{p.label}{p.total}个" for p in parts) + "）" if parts else ""


def title(d: ReportData) -> str:
    return f"{d.settings.issuer}关于{d.quarter.label}{d.scope_name}政府网站和政务新媒体检查情况的通报"


def annex_titles(d: ReportData) -> list[str]:
    q = d.quarter.label
    return [f"{q}不合格政府网站名单", f"{q}存在问题栏目名单", f"{q}不合格政务新媒体名单",
            f"{q}信件办理超期名单", "检查方法说明"]


def build(d: ReportData) -> list[Block]:
    q, scope = d.quarter.label, d.scope_name
    blocks = [Block("title", title(d)), Block("addressee", f"{d.settings.addressees}：")]
    blocks.append(Block("para", (
        f"按照国务院办公厅和省政府办公厅关于政府网站与政务新媒体检查工作的要求，{d.settings.issuer}依据"
        f"《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号），组织开展了{q}{scope}政府网站和政务新媒体"
        f"检查工作。现将检查情况通报如下：")))

    blocks.append(Block("h1", "一、总体情况"))
    if d.sites:
        s = d.sites
        blocks.append(Block("para", (
            f"（一）政府网站检查情况。{q}，{scope}在运行政府网站{s.total}个{_breakdown(d.site_kinds)}，"
            f"检查合格{s.passed}个，不合格{s.failed}个{_others(s)}，合格率{_rate(s)}{_change(s)}。")))
    if d.accounts:
        a = d.accounts
        blocks.append(Block("para", (
            f"（{'二' if d.sites else '一'}）政务新媒体检查情况。{q}，{scope}纳入常态化监管的政务新媒体{a.total}个"
            f"{_breakdown(d.platforms)}，发现不合格{a.failed}个{_others(a)}，合格率{_rate(a)}{_change(a)}。")))

    blocks.append(Block("h1", "二、主要问题"))
    n = 0
    for label, groups in d.problems.items():
        n += 1
        blocks.append(Block("h2", f"（{CN_NUM[n - 1]}）{label}方面"))
        if not groups:
            blocks.append(Block("para", f"本季度未发现不合格{label}。"))
            continue
        for i, (problem, names) in enumerate(groups, 1):
            blocks.append(Block("para", f"{i}.{problem}（{len(names)}个）：{'、'.join(names)}。"))

    blocks.append(Block("h1", "三、工作要求"))
    blocks.append(Block("para", (
        "（一）落实整改责任。被通报的政府网站、政务新媒体主办单位要对照通报问题逐项整改，举一反三开展自查，"
        "对空白栏目、长期不更新栏目和不可用链接及时清理、优化调整，确保信息更新及时、互动回应规范。")))
    blocks.append(Block("para", (
        "（二）加强日常监管。各县（市、区）、各部门要落实值班读网制度，对开设的政务新媒体“应报尽报、应管尽管”，"
        "已停止维护的账号及时履行注销程序，账号名称变更后及时在全国政务新媒体信息报送系统中更新。")))
    contact = f"（联系人及电话：{d.settings.contact}）" if d.settings.contact else ""
    blocks.append(Block("para", (
        f"（三）按时报送整改情况。请有关单位于{_cn_date(d.deadline)}前将整改情况（电子版）报{d.settings.issuer}"
        f"{contact}，届时将组织复核。")))

    titles = annex_titles(d)
    blocks.append(Block("list", "附件：", lines=[f"{i}. {t}" for i, t in enumerate(titles, 1)]))
    blocks.append(Block("signature", d.settings.issuer, lines=[_cn_date(d.issue_date.isoformat()),
                                                                 f"（{d.settings.public}）"]))

    monitor = f"注：监测时间点为{_cn_date(d.as_of.date().isoformat())}。"
    blocks.append(Block("annex", titles[0], number=1,
                        headers=["序号", "网站名称", "网站标识码", "首页网址", "检查结果", "突出问题"],
                        rows=[[str(i), r["网站名称"], r["网站标识码"], r["首页网址"], r["检查结果"], r["突出问题"]]
                              for i, r in enumerate(d.failing_sites, 1)]))
    blocks.append(Block("note", monitor))
    blocks.append(Block("annex", titles[1], number=2, headers=["序号", "责任单位", "栏目路径", "问题描述"],
                        rows=[[str(i), r["责任单位"], r["栏目路径"], r["问题描述"]]
                              for i, r in enumerate(d.problem_columns, 1)]))
    blocks.append(Block("note", monitor))
    blocks.append(Block("annex", titles[2], number=3,
                        headers=["序号", "填报单位", "账号类型", "账号名称", "检查结果", "突出问题"],
                        rows=[[str(i), r["填报单位"], r["账号类型"], r["账号名称"], r["检查结果"], r["突出问题"]]
                              for i, r in enumerate(d.failing_accounts, 1)]))
    blocks.append(Block("note", monitor))
    blocks.append(Block("annex", titles[3], number=4, headers=["序号", "单位", "超期次数"],
                        rows=[[str(i), r["单位"], str(r["超期次数"])] for i, r in enumerate(d.overdue_letters, 1)]))
    blocks.append(Block("note", monitor))
    blocks.append(Block("annex", titles[4], number=5, headers=["项目", "说明"], rows=method_rows(d)))
    return blocks


def method_rows(d: ReportData) -> list[list[str]]:
    p = d.profile_values
    av, hp, col, it, nm = (p.get(k, {}) for k in ("availability", "homepage", "columns", "interaction", "newmedia"))
    windows = (f"站点可访问性：监测{av.get('window_days')}天，每天不少于{av.get('min_probes_per_day')}次，"
               f"超时{av.get('timeout_seconds')}秒，失败占比≥{100 * float(av.get('max_fail_ratio', 0)):.0f}%即单项否决；"
               f"首页：{hp.get('max_days_without_update')}天；动态要闻类栏目{col.get('dynamic_max_days')}天，"
               f"通知公告、政策文件类一级栏目{col.get('notice_policy_max_days')}天，长期未更新{col.get('long_term_max_days')}天；"
               f"留言答复{it.get('max_reply_days')}天（回溯{it.get('lookback_days')}天）；"
               f"政务新媒体{nm.get('max_days_without_update')}天未更新")
    if nm.get("max_days_without_original"):
        windows += f"，{nm.get('max_days_without_original')}天无原创"
    coverage = "；".join(f"{name}：{decided}/{total}" for name, decided, total in d.coverage) or "无"
    undecided = "；".join(f"{u['对象']}（{u['原因']}）" for u in d.undecided) or "无"
    return [
        ["检查方案", d.profile],
        ["监测时间点", d.as_of.strftime("%Y-%m-%d %H:%M")],
        ["检查窗口", windows],
        ["数据覆盖（已判定/应检查）", coverage],
        ["未经核实的规则", "、".join(d.unverified) or "无"],
        ["待审核事项", f"{d.pending_reviews}项" if d.pending_reviews else "无"],
        ["无法判定的对象", undecided],
        ["结论运行号", str(d.run_id)],
    ]


def _cn_date(iso: str) -> str:
    y, m, day = iso[:10].split("-")
    return f"{int(y)}年{int(m)}月{int(day)}日"
