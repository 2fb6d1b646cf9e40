"""Unit tests: reading registry files and checking cells (no database)."""

from __future__ import annotations

import openpyxl
import pytest

from govmon.registry.reader import FileProblem, read_table
from govmon.registry.schema import Invalid, parse_table, region_code, site_code

HEADER = "网站名称,网站标识码,首页网址,主办单位,行政区划代码,网站类型,运行状态"
ROW = "鹰潭市人民政府,3606000001,http://www.yingtan.gov.cn/,鹰潭市人民政府办公室,360600,政府门户网站,运行"


def _write(tmp_path, name, data: bytes):
    p = tmp_path / name
    p.write_bytes(data)
    return p


@pytest.mark.parametrize(
    "encoding,prefix",
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("gb18030", b""), ("utf-16", b"")],
    ids=["utf8", "utf8-bom", "gb18030", "utf16-tab"],
)
def test_csv_encodings_read_the_same(tmp_path, encoding, prefix):
    text = f"{HEADER}\n{ROW}\n"
    if encoding == "utf-16":
        text = text.replace(",", "\t")
    p = _write(tmp_path, "sites.csv", prefix + text.encode(encoding))
    table = read_table(p, "sites")
    records, errors = parse_table(table, "sites")
    assert errors == []
    assert records[0].values["name"] == "鹰潭市人民政府"
    assert records[0].values["kind"] == "政府门户网站"
    assert records[0].row == 2


def test_gb18030_bytes_are_not_valid_utf8():
    # guards the test above: the GB18030 case really exercises the fallback
    with pytest.raises(UnicodeDecodeError):
        ROW.encode("gb18030").decode("utf-8")


def test_xlsx_named_sheet_and_numeric_cells(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    wb.active.append(["这是说明页"])
    ws = wb.create_sheet("网站")
    ws.append(HEADER.split(","))
    ws.append(["鹰潭市人民政府", 3606000001, "http://www.yingtan.gov.cn/", "办公室", 360600.0, None, None])
    acc = wb.create_sheet("账号")
    acc.append(["账号名称", "平台", "填报单位", "行政区划代码"])
    acc.append(["鹰潭发布", "微信", "鹰潭市委宣传部", 360600])
    path = tmp_path / "registry.xlsx"
    wb.save(path)

    sites, errors = parse_table(read_table(path, "sites"), "sites")
    assert errors == []
    assert sites[0].values["site_code"] == "3606000001"
    assert sites[0].values["region_code"] == "360600"
    assert sites[0].values["kind"] == "部门网站"  # default
    assert sites[0].values["status"] == "运行"  # default
    accounts, errors = parse_table(read_table(path, "accounts"), "accounts")
    assert errors == [] and accounts[0].values["platform"] == "微信"


def test_english_aliases_and_unknown_columns_kept(tmp_path):
    p = _write(tmp_path, "s.csv", b"name,site_code,url,organizer,region_code,kind,status,contact\n"
               b"A,bm07000001,https://www.miit.gov.cn/,B,110000,portal,running,tel 123\n")
    records, errors = parse_table(read_table(p, "sites"), "sites")
    assert errors == []
    r = records[0]
    assert r.values["site_code"] == "bm07000001" and r.values["kind"] == "政府门户网站"
    assert r.values["status"] == "运行"
    assert r.extra == {"contact": "tel 123"}


def test_missing_and_duplicate_columns(tmp_path):
    p = _write(tmp_path, "s.csv", "网站名称,name,首页网址\nA,B,http://x/\n".encode())
    records, errors = parse_table(read_table(p, "sites"), "sites")
    assert records == []
    assert f"{p}:1: 网站名称: 列重复（第1列和第2列）" in errors
    assert any(e.startswith(f"{p}:1: 网站标识码: 缺少必填列") for e in errors)
    assert any(e.startswith(f"{p}:1: 主办单位: 缺少必填列") for e in errors)


def test_unreadable_files(tmp_path):
    with pytest.raises(FileProblem, match="文件不存在"):
        read_table(tmp_path / "nope.csv", "sites")
    with pytest.raises(FileProblem, match="文件为空"):
        read_table(_write(tmp_path, "e.csv", b"\n\n"), "sites")
    with pytest.raises(FileProblem, match=r"\.xls"):
        read_table(_write(tmp_path, "o.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100), "sites")
    with pytest.raises(FileProblem, match="无法识别文件编码"):
        read_table(_write(tmp_path, "b.csv", b"\xff\xff\xff\x00\x81"), "sites")


@pytest.mark.parametrize("value", ["3606000001", "bm07000001", "BM29030010", "4300000077"])
def test_site_code_accepts(value):
    assert site_code(value) == value.lower()


@pytest.mark.parametrize(
    "value,reason",
    [("", "必填项为空"), ("360600000", "10位数字"), ("36060000011", "10位数字"), ("bm0700001", "bm 加8位"),
     ("9906000001", "不是有效的行政区划代码"), ("3.606E+09", "科学计数法"), ("36O6000001", "10位数字")],
)
def test_site_code_rejects(value, reason):
    with pytest.raises(Invalid, match=reason):
        site_code(value)


@pytest.mark.parametrize("value,ok", [("360600", True), ("110101", True), ("36060", False), ("990000", False),
                                      ("36060a", False), ("3606001", False)])
def test_region_code(value, ok):
    if ok:
        assert region_code(value) == value
    else:
        with pytest.raises(Invalid):
            region_code(value)


def test_cells_are_trimmed_including_fullwidth_space(tmp_path):
    p = _write(tmp_path, "s.csv", f"{HEADER}\n\u3000鹰潭市人民政府 , 3606000001 ,http://x.gov.cn/,办公室,360600,,\n".encode())
    records, errors = parse_table(read_table(p, "sites"), "sites")
    assert errors == []
    assert records[0].values["name"] == "鹰潭市人民政府"
    assert records[0].values["site_code"] == "3606000001"
