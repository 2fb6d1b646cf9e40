"""Footer identity (G-F1): 网站标识码, ICP备案, 公安机关备案, 主办单位, and the site metas
(``SiteIDCode``, ``SiteName``, ``SiteDomain``), to check against the registry.

The footer is the text of the page's footer-like elements (footer, foot, bottom, copyright) when
there are any, else the whole page: codes are searched there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from govmon.parsing.html import Page, attr_words, visible_text

_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼港澳台"
SITE_CODE = re.compile(r"(?:政府)?网站标识码\s*[:：]?\s*(bm\d{8}|\d{10})(?!\d)", re.I)
ICP = re.compile(rf"([{_PROVINCES}])\s*ICP\s*备\s*(\d{{4,12}})\s*号(?:\s*[-－]\s*(\d+))?", re.I)
POLICE = re.compile(rf"([{_PROVINCES}])?\s*公网安备\s*(\d{{14}})\s*号?")
ORGANIZER = re.compile(r"主办(?:单位)?\s*[:：]\s*([^\s|｜,，;；、]{2,40})")
SITE_CODE_FORMAT = re.compile(r"^(\d{10}|bm\d{8})$")


@dataclass(frozen=True)
class Identity:
    site_code: str | None        # from the footer
    icp: str | None              # "赣ICP备06000141号" or "赣ICP备11002306号-1"
    police: str | None           # "赣公网安备36090202000004号"
    organizer: str | None
    meta_site_code: str | None
    meta_site_name: str | None
    meta_site_domain: str | None
    footer_excerpt: str

    @property
    def codes(self) -> set[str]:
        return {c for c in (self.site_code, self.meta_site_code) if c}


def footer_text(page: Page) -> str:
    parts = []
    for el in page.doc.iter():
        if not isinstance(el.tag, str):
            continue
        words = attr_words(el)
        if el.tag == "footer" or any(w in words for w in ("footer", "foot", "bottom", "copyright", "banquan")):
            # skip nested footer-ish elements already inside a collected one
            anc = el.getparent()
            nested = False
            while anc is not None:
                if anc.tag == "footer" or any(w in attr_words(anc) for w in ("footer", "foot", "bottom", "copyright",
                                                                             "banquan")):
                    nested = True
                    break
                anc = anc.getparent()
            if not nested:
                parts.append(visible_text(el))
    return " ".join(p for p in parts if p)


def parse_identity(page: Page) -> Identity:
    foot = footer_text(page)
    haystacks = [foot, page.body_text] if foot else [page.body_text]

    def first(rx):
        for h in haystacks:
            m = rx.search(h)
            if m:
                return m
        return None

    m = first(SITE_CODE)
    code = m.group(1).lower() if m else None
    m = first(ICP)
    icp = f"{m.group(1)}ICP备{m.group(2)}号" + (f"-{m.group(3)}" if m and m.group(3) else "") if m else None
    m = first(POLICE)
    police = f"{m.group(1) or ''}公网安备{m.group(2)}号" if m else None
    m = first(ORGANIZER)
    organizer = m.group(1) if m else None
    meta_code = (page.metas.get("siteidcode") or "").strip().lower() or None
    excerpt = foot[-400:] if foot else ""
    return Identity(code, icp, police, organizer, meta_code, page.metas.get("sitename"),
                    page.metas.get("sitedomain"), excerpt)
