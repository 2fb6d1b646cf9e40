"""Find the registry files in a folder, as operators drop them there.

A folder holds ``sites``/``网站``, ``accounts``/``账号`` and optionally ``regions``/``行政区划``
files (.csv or .xlsx), or one workbook ``registry.xlsx``/``名录.xlsx`` whose sheets are named
网站, 账号 and 行政区划.
"""

from __future__ import annotations

from pathlib import Path

STEMS = {
    "sites": ("sites", "网站"),
    "accounts": ("accounts", "账号"),
    "regions": ("regions", "行政区划"),
}
WORKBOOKS = ("registry.xlsx", "名录.xlsx")


class RegistryFilesMissing(FileNotFoundError):
    pass


def find_registry_files(folder: str | Path) -> dict[str, Path]:
    folder = Path(folder)
    if not folder.is_dir():
        raise RegistryFilesMissing(f"{folder}: 名录文件夹不存在")
    found: dict[str, Path] = {}
    for kind, stems in STEMS.items():
        for stem in stems:
            for ext in (".csv", ".xlsx"):
                p = folder / f"{stem}{ext}"
                if p.is_file() and kind not in found:
                    found[kind] = p
    for name in WORKBOOKS:
        wb = folder / name
        if wb.is_file():
            import openpyxl

            sheets = set(openpyxl.load_workbook(wb, read_only=True).sheetnames)
            for kind, sheet in (("sites", "网站"), ("accounts", "账号"), ("regions", "行政区划")):
                if sheet in sheets:
                    found.setdefault(kind, wb)
    if "sites" not in found and "accounts" not in found:
        raise RegistryFilesMissing(
            f"{folder}: 未找到名录文件（应有 sites.csv/网站.csv、accounts.csv/账号.csv，或含“网站”“账号”工作表的 registry.xlsx）"
        )
    return found
