"""One parse of a page: the lxml tree, its metas, title, text and links.

Hanweb (大汉 jcms) list pages ship their items as ``<script type="text/xml"><datastore><recordset>
<record><![CDATA[<li>…</li>]]></record>…`` which an HTML parser keeps as script text; those
records are parsed and appended to the tree (in a ``<div class="govmon-records">``) so every
extractor sees them like any other list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.S)
_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "about:", "#", "vbscript:")
_WS = re.compile(r"\s+")
# server-side includes leave "</html>" (and "</body>") in the middle of real pages; libxml2 stops there
_EARLY_END = re.compile(r"</\s*(?:html|body)\s*>", re.I)


def clean_text(s: str | None) -> str:
    return _WS.sub(" ", (s or "").replace("\u3000", " ").replace("\xa0", " ")).strip()


@dataclass(frozen=True)
class Link:
    url: str          # absolute, fragment removed
    text: str         # visible text, or the title/alt attribute
    tag: str          # a | img | iframe | area | embed
    element: object   # the lxml element (not for storage)


def absolute(base: str, href: str) -> str | None:
    href = (href or "").strip().replace("\\", "/")
    if not href or href.lower().startswith(_SKIP_SCHEMES):
        return None
    try:
        url = urljoin(base, href)
    except ValueError:
        return None
    url = url.split("#", 1)[0]
    if not url.lower().startswith(("http://", "https://")):
        return None
    return url


class Page:
    """A decoded HTML page. Parsing never raises: a page lxml cannot read becomes an empty tree
    and ``parse_error`` says why."""

    def __init__(self, url: str, text: str):
        self.url = url
        self.text_html = text or ""
        self.parse_error: str | None = None
        try:
            doc = lxml.html.document_fromstring(_EARLY_END.sub("", self.text_html) or "<html></html>")
        except (etree.ParserError, ValueError) as exc:
            self.parse_error = f"{type(exc).__name__}: {exc}"
            doc = lxml.html.document_fromstring("<html><body></body></html>")
        self.doc = doc
        base = doc.find(".//base[@href]")
        self.base_url = absolute(url, base.get("href")) if base is not None else url
        self.base_url = self.base_url or url
        self._inline_xml_records()

    def _inline_xml_records(self) -> None:
        scripts = [s for s in self.doc.iter("script") if (s.get("type") or "").lower() in ("text/xml", "text/html")]
        for s in scripts:
            chunks = _CDATA.findall(s.text or "")
            if not chunks:
                continue
            holder = lxml.html.Element("div")
            holder.set("class", "govmon-records")
            for chunk in chunks:
                try:
                    for frag in lxml.html.fragments_fromstring(chunk):
                        if isinstance(frag, str):
                            continue
                        holder.append(frag)
                except (etree.ParserError, ValueError):
                    continue
            parent = s.getparent()
            if parent is not None:
                parent.replace(s, holder)

    # ---- metas and text ---------------------------------------------------------------------
    @cached_property
    def metas(self) -> dict[str, str]:
        """``<meta name|property=… content=…>``, names lowercased; the first non-empty value wins."""
        out: dict[str, str] = {}
        for m in self.doc.iter("meta"):
            name = (m.get("name") or m.get("property") or "").strip().lower()
            content = m.get("content")
            if name and content is not None and content.strip() and name not in out:
                out[name] = content.strip()
        return out

    @cached_property
    def title(self) -> str:
        t = self.doc.find(".//title")
        return clean_text(t.text_content()) if t is not None else ""

    @cached_property
    def body_text(self) -> str:
        body = self.doc.find(".//body")
        return visible_text(body if body is not None else self.doc)

    @property
    def host_name(self) -> str:
        return (urlsplit(self.url).hostname or "").lower()

    # ---- links ------------------------------------------------------------------------------
    @cached_property
    def links(self) -> list[Link]:
        out = []
        for el in self.doc.iter("a", "area", "img", "iframe", "embed"):
            attr = "href" if el.tag in ("a", "area") else "src"
            url = absolute(self.base_url, el.get(attr))
            if url is None:
                continue
            if el.tag in ("a", "area"):
                text = clean_text(el.text_content()) or clean_text(el.get("title")) or clean_text(el.get("alt"))
            else:
                text = clean_text(el.get("alt")) or clean_text(el.get("title"))
            out.append(Link(url, text, el.tag, el))
        return out

    def anchors(self) -> list[Link]:
        return [lk for lk in self.links if lk.tag in ("a", "area")]


def visible_text(root) -> str:
    """The text of an element without script and style content."""
    parts = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            if el.tail:
                parts.append(el.tail)
            continue
        if el.tag not in ("script", "style") and el.text:
            parts.append(el.text)
        if el.tail and el is not root:
            parts.append(el.tail)
    return clean_text(" ".join(parts))


def element_text_outside(container, skip) -> list[str]:
    """Text pieces of ``container`` that are not inside ``skip`` (an element), one per text node."""
    out = []

    def walk(el):
        if el is skip:
            if el.tail and el is not container:
                out.append(el.tail)
            return
        if isinstance(el.tag, str) and el.tag not in ("script", "style"):
            if el.text:
                out.append(el.text)
            for ch in el:
                walk(ch)
        if el.tail and el is not container:
            out.append(el.tail)

    if isinstance(container.tag, str):
        if container.text:
            out.append(container.text)
        for ch in container:
            walk(ch)
    return [clean_text(t) for t in out if clean_text(t)]


def attr_words(el) -> str:
    """class and id of an element, lowercased, for layout heuristics."""
    if not isinstance(el.tag, str):
        return ""
    return f"{el.get('class') or ''} {el.get('id') or ''}".lower()
