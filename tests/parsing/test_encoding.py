"""Encodings are decided from the bytes: declared charsets lie on real government pages."""

from __future__ import annotations

import pytest

from govmon.parsing.encoding import decode_html, declared_charset, normalize_charset

TEXT = "鹰川市人民政府 政务要闻 关于开展安全生产专项检查的通知"


def page(charset_tag: str, body: str = TEXT) -> str:
    return f"<html><head>{charset_tag}<title>{body[:6]}</title></head><body><p>{body}</p></body></html>"


@pytest.mark.parametrize("tag,encoding,header,want,mismatch", [
    ('<meta charset="utf-8">', "utf-8", None, "utf-8", False),
    ('<meta http-equiv="Content-Type" content="text/html; charset=gb2312">', "utf-8", None, "utf-8", True),
    ('<meta charset="utf-8">', "gbk", None, "gb18030", True),
    ('<meta http-equiv="Content-Type" content="text/html; charset=gbk">', "gbk", None, "gb18030", False),
    ("", "gbk", None, "gb18030", False),
    ("", "gbk", "text/html; charset=gbk", "gb18030", False),
    ("", "utf-8", "text/html; charset=GB2312", "utf-8", True),
    ('<meta charset="iso-8859-1">', "gbk", None, "gb18030", True),
])
def test_the_bytes_decide(tag, encoding, header, want, mismatch):
    body = page(tag).encode(encoding)
    d = decode_html(body, header)
    assert d.encoding == want
    assert TEXT in d.text
    assert d.mismatch is mismatch
    assert not d.lossy


def test_bom_and_ascii():
    d = decode_html(b"\xef\xbb\xbf" + page("").encode("utf-8"))
    assert (d.encoding, d.source) == ("utf-8", "bom") and TEXT in d.text
    d = decode_html(b"<html><body>hello</body></html>", "text/html; charset=gbk")
    assert d.text.endswith("</html>") and d.source == "ascii"


def test_undecodable_bytes_are_flagged_not_raised():
    # a truncated multi-byte character and a stray byte in an otherwise UTF-8 page
    body = page('<meta charset="gb2312">', TEXT * 5).encode("utf-8")
    body = body[:120] + b"\xe6\x94" + body[120:] + b"\xff"
    d = decode_html(body)
    assert d.lossy and d.encoding == "utf-8" and TEXT in d.text


def test_charset_names():
    assert normalize_charset("GB2312") == normalize_charset("x-gbk") == "gb18030"
    assert normalize_charset("UTF8") == "utf-8"
    assert normalize_charset("no-such-charset") is None
    assert declared_charset(b'<meta content="text/html; charset=gb2312" http-equiv="Content-Type">') == "gb18030"


def test_real_pages(shared_dir):
    # a GBK page declaring nothing at all
    d = decode_html((shared_dir / "realdata/encoding/gbk_no_charset_declared.html").read_bytes())
    assert d.encoding == "gb18030" and d.declared is None and "中国" in d.text and not d.lossy
    # a page that declares gb2312 and holds UTF-8 (as real gov pages do)
    d = decode_html((shared_dir / "realdata/gov/nongov_announcement_list.html").read_bytes())
    assert d.encoding == "utf-8" and d.declared == "gb18030" and d.mismatch and "信息披露" in d.text
