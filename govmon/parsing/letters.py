"""领导信箱 / 留言 lists (W-V5): each letter's title, 留言时间, 回复时间 and status.

A letters list is a table whose header names an asking time (留言时间, 来信时间, 提问时间, 写信时间,
提交时间, 咨询时间) and usually a reply time (回复时间, 答复时间, 办结时间, 反馈时间) and a status
(状态, 办理状态). A list without a reply column is read from the letters' detail pages
(:func:`parse_letter_detail`: label/value pairs such as ``<th>回复时间</th><td>…</td>`` or
``回复时间：…``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from govmon.parsing.dates import DateText, find_date, parse_list_date
from govmon.parsing.html import Page, absolute, clean_text
from govmon.parsing.listing import next_page

ASK_WORDS = ("留言时间", "来信时间", "提问时间", "写信时间", "提交时间", "咨询时间", "留言日期", "来信日期", "提问日期",
             "发布时间", "发起时间")
REPLY_WORDS = ("回复时间", "答复时间", "办结时间", "反馈时间", "回复日期", "答复日期", "处理时间", "回复")
STATUS_WORDS = ("状态", "办理状态", "处理状态", "回复状态")
TITLE_WORDS = ("标题", "主题", "信件标题", "留言标题", "事项")
ANSWERED = ("已回复", "已答复", "已办结", "已处理", "已反馈", "办结", "已完成")
UNANSWERED = ("办理中", "未回复", "待回复", "处理中", "未答复", "受理中", "待处理", "已受理", "转办中")


@dataclass
class Letter:
    title: str
    url: str | None
    asked: dt.date | None
    replied: dt.date | None
    status: str | None
    asked_text: str | None = None
    replied_text: str | None = None

    @property
    def answered(self) -> bool | None:
        if self.replied is not None:
            return True
        if self.status:
            if any(w in self.status for w in ANSWERED):
                return True
            if any(w in self.status for w in UNANSWERED):
                return False
        return None


@dataclass
class LettersPage:
    letters: list[Letter] = field(default_factory=list)
    found: bool = False          # a letters table was recognised
    has_reply_column: bool = False
    next_url: str | None = None


def _col_index(headers: list[str], words) -> int | None:
    for i, h in enumerate(headers):
        if any(w in h for w in words):
            return i
    return None


def _date(cell_text: str, ref: dt.date) -> tuple[dt.date | None, str | None]:
    t = clean_text(cell_text)
    if not t:
        return None, None
    d: DateText | None = parse_list_date(t) or find_date(t)
    return (d.resolve(ref) if d else None), t


def parse_letters(page: Page, ref: dt.date) -> LettersPage:
    out = LettersPage()
    for table in page.doc.iter("table"):
        rows = [r for r in table.iter("tr")]
        if not rows:
            continue
        header_row, headers = None, []
        for r in rows[:3]:
            cells = [clean_text(c.text_content()) for c in r if isinstance(c.tag, str) and c.tag in ("th", "td")]
            if _col_index(cells, ASK_WORDS) is not None:
                header_row, headers = r, cells
                break
        if header_row is None:
            continue
        i_ask = _col_index(headers, ASK_WORDS)
        # the reply column must not be the ask column (回复 is a substring guard)
        i_reply = next((i for i, h in enumerate(headers) if i != i_ask and any(w in h for w in REPLY_WORDS)), None)
        i_status = _col_index(headers, STATUS_WORDS)
        i_title = _col_index(headers, TITLE_WORDS)
        out.found = True
        out.has_reply_column = out.has_reply_column or i_reply is not None
        started = False
        for r in rows:
            if r is header_row:
                started = True
                continue
            if not started:
                continue
            cells = [c for c in r if isinstance(c.tag, str) and c.tag in ("td", "th")]
            if len(cells) < 2 or i_ask is None or i_ask >= len(cells):
                continue
            tcell = cells[i_title] if i_title is not None and i_title < len(cells) else cells[0]
            a = tcell.find(".//a[@href]")
            url = absolute(page.base_url, a.get("href")) if a is not None else None
            title = clean_text((a.text_content() if a is not None else tcell.text_content())) or \
                clean_text(a.get("title") if a is not None else "")
            asked, asked_text = _date(cells[i_ask].text_content(), ref)
            replied, replied_text = (None, None)
            if i_reply is not None and i_reply < len(cells):
                replied, replied_text = _date(cells[i_reply].text_content(), ref)
            status = clean_text(cells[i_status].text_content()) if i_status is not None and i_status < len(cells) \
                else None
            if asked is None and not title:
                continue
            out.letters.append(Letter(title, url, asked, replied, status or None, asked_text, replied_text))
    out.next_url, _ = next_page(page)
    return out


_LABEL_VALUE = re.compile(r"(留言时间|来信时间|提问时间|写信时间|提交时间|回复时间|答复时间|办结时间|办理状态|状态)\s*[:：]?\s*")


def parse_letter_detail(page: Page, ref: dt.date) -> Letter:
    """A letter's detail page: label/value pairs in a table or as ``label：value`` text."""
    values: dict[str, str] = {}
    for row in page.doc.iter("tr"):
        cells = [c for c in row if isinstance(c.tag, str) and c.tag in ("th", "td")]
        for k in range(0, len(cells) - 1):
            label = clean_text(cells[k].text_content()).rstrip("：:")
            if label and label not in values and len(label) <= 8:
                values[label] = clean_text(cells[k + 1].text_content())
    text = page.body_text
    for m in _LABEL_VALUE.finditer(text):
        values.setdefault(m.group(1), text[m.end():m.end() + 30])

    def pick(words):
        for w in words:
            for k, v in values.items():
                if w in k:
                    return v
        return None

    asked_t, reply_t = pick(ASK_WORDS), pick(("回复时间", "答复时间", "办结时间", "反馈时间"))
    asked = find_date(asked_t or "")
    replied = find_date(reply_t or "")
    title = pick(("信件标题", "标题", "主题")) or page.title
    return Letter(title or "", page.url, asked.resolve(ref) if asked else None,
                  replied.resolve(ref) if replied else None, pick(STATUS_WORDS), asked_t, reply_t)
