"""Read a registry file (CSV or XLSX) into header-keyed rows with their spreadsheet row numbers.

CSV may be UTF-8, UTF-8 with BOM, GB18030 (what Excel on a Chinese Windows machine writes) or
UTF-16 ("Unicode text", tab-separated). The encoding is decided from the bytes. XLSX is read from
the sheet named for the kind (网站 / 账号 / 行政区划) when there is one, else the first sheet.
Row numbers are those a spreadsheet shows: the header is row 1.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

SHEET_NAMES = {"sites": ("网站",), "accounts": ("账号", "政务新媒体"), "regions": ("行政区划", "区划")}


class FileProblem(Exception):
    """A problem with a whole file (unreadable, wrong format); message is in Chinese."""


@dataclass
class Table:
    path: str
    headers: list[str]
    header_row: int = 1
    rows: list[tuple[int, list[str]]] = field(default_factory=list)  # (row number, cells)


def read_table(path: str | Path, kind: str) -> Table:
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise FileProblem(f"{p}: 文件不存在") from None
    except OSError as exc:
        raise FileProblem(f"{p}: 无法读取文件（{exc.strerror}）") from None
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(p, data, kind)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise FileProblem(f"{p}: 不支持旧版 Excel（.xls）格式，请另存为 .xlsx 或 CSV")
    return _read_csv(p, data)


def _decode(p: Path, data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for enc in ("utf-8", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise FileProblem(f"{p}: 无法识别文件编码（支持 UTF-8、带 BOM 的 UTF-8、GB18030/GBK 和 XLSX）")


def _read_csv(p: Path, data: bytes) -> Table:
    text = _decode(p, data)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise FileProblem(f"{p}:{reader.line_num}: CSV 格式错误（{exc}）") from None
    return _table(str(p), records)


def _read_xlsx(p: Path, data: bytes, kind: str) -> Table:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise FileProblem(f"{p}: 无法读取 XLSX 文件（{exc}）") from None
    try:
        sheet = None
        for name in SHEET_NAMES.get(kind, ()):
            if name in wb.sheetnames:
                sheet = wb[name]
                break
        if sheet is None:
            sheet = wb.worksheets[0]
        records = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        wb.close()
    return _table(str(p), records)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _table(path: str, records: list[list[str]]) -> Table:
    # skip leading blank lines (some exports start with an empty row)
    start = 0
    while start < len(records) and not any(c.strip() for c in records[start]):
        start += 1
    if start == len(records):
        raise FileProblem(f"{path}: 文件为空（没有表头行）")
    headers = [h.strip() for h in records[start]]
    rows = []
    for i, rec in enumerate(records[start + 1:], start=start + 2):
        if not any((c or "").strip() for c in rec):
            continue  # blank line
        rows.append((i, rec))
    return Table(path=path, headers=headers, header_row=start + 1, rows=rows)
