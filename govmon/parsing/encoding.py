"""Decide a page's encoding from its bytes, not only from what it declares.

Real government pages declare ``gb2312`` and hold UTF-8, declare ``utf-8`` and hold GBK, or declare
nothing at all. The order used here:

1. a byte-order mark;
2. bytes that are valid UTF-8 (and not pure ASCII) are UTF-8, whatever is declared: GBK text is
   practically never valid UTF-8;
3. the declared charset (HTTP header first, then ``<meta>``) when the bytes decode cleanly with it
   (``gb2312``/``gbk`` are read as their superset ``gb18030``);
4. GB18030, then a statistical detector (charset-normalizer);
5. otherwise the best candidate with replacement characters, flagged ``lossy`` (a ``bad_encoding``
   fault for the crawler).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]{2,40})""", re.I)
_CHINESE_FAMILY = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "ms936", "windows-936", "euc-cn", "csgb2312",
                   "x-euc-cn", "gb_2312-80", "chinese", "iso-ir-58"}
_WESTERN_SINGLE_BYTE = {"iso-8859-1", "latin-1", "latin1", "l1", "windows-1252", "cp1252", "us-ascii", "ascii",
                        "iso8859-1", "8859"}


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str            # the codec used: 'utf-8', 'gb18030', 'big5', …
    declared: str | None     # what the page (or header) declared, normalised; None when nothing
    source: str              # bom | utf8 | declared | gb18030 | detector | fallback | ascii
    lossy: bool = False      # replacement characters were needed

    @property
    def mismatch(self) -> bool:
        """The declaration names another encoding than the bytes hold."""
        return self.declared is not None and family(self.declared) != family(self.encoding)


def normalize_charset(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    if not name:
        return None
    if name in _CHINESE_FAMILY:
        return "gb18030"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def family(name: str | None) -> str | None:
    n = normalize_charset(name)
    if n in ("gb18030", "gbk", "gb2312"):
        return "gb"
    if n in ("ascii",):
        return "utf-8"
    return n


def declared_charset(body: bytes, header_charset: str | None = None) -> str | None:
    """The charset a response declares: the Content-Type header, else the first ``<meta>`` charset."""
    n = normalize_charset(header_charset)
    if n:
        return n
    m = _META_CHARSET.search(body[:8192])
    if m:
        return normalize_charset(m.group(1).decode("ascii", "ignore"))
    return None


def header_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    m = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:\-]+)", content_type, re.I)
    return m.group(1) if m else None


def _strict(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_html(body: bytes, content_type: str | None = None) -> Decoded:
    """Decode page bytes; ``content_type`` is the HTTP Content-Type header value (or None)."""
    declared = declared_charset(body, header_charset(content_type))
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                       (codecs.BOM_UTF16_BE, "utf-16-be")):
        if body.startswith(bom):
            text = body[len(bom):].decode(codec, errors="replace")
            return Decoded(text, "utf-8" if codec == "utf-8" else "utf-16", declared, "bom", "\ufffd" in text)
    if body.isascii():
        return Decoded(body.decode("ascii"), declared or "utf-8", declared, "ascii")
    text = _strict(body, "utf-8")
    if text is not None:
        return Decoded(text, "utf-8", declared, "utf8")
    candidates: list[tuple[str, str]] = []
    if declared and declared != "utf-8":
        if declared in _WESTERN_SINGLE_BYTE or normalize_charset(declared) in ("cp1252", "latin_1", "iso8859-1"):
            candidates.append(("gb18030", "gb18030"))  # a western declaration on a Chinese site is a guess
        candidates.append((declared, "declared"))
    candidates.append(("gb18030", "gb18030"))
    for codec, source in candidates:
        text = _strict(body, codec)
        if text is not None:
            return Decoded(text, codec, declared, source)
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(body).best()
    except Exception:  # the detector is a helper, never a reason to fail
        best = None
    if best is not None and best.encoding:
        codec = normalize_charset(best.encoding) or best.encoding
        text = _strict(body, codec)
        if text is not None:
            return Decoded(text, codec, declared, "detector")
    # nothing decodes cleanly: the candidate (declared first) that needs replacing in at most a small
    # share of its non-ASCII bytes; gb18030 decodes almost any byte pair, so it is tried last
    non_ascii = sum(1 for b in body if b >= 0x80) or 1
    order = list(dict.fromkeys([declared or "utf-8", "utf-8", "gb18030"]))
    best_text, best_codec, best_bad = None, "utf-8", None
    for codec in order:
        try:
            t = body.decode(codec, errors="replace")
        except LookupError:
            continue
        bad = t.count("\ufffd")
        if bad <= max(2, non_ascii * 0.02):
            return Decoded(t, codec, declared, "fallback", True)
        if best_bad is None or bad < best_bad:
            best_text, best_codec, best_bad = t, codec, bad
    return Decoded(best_text or "", best_codec, declared, "fallback", True)
