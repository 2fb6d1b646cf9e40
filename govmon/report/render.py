"""Render the 通报 blocks as Markdown and as a Word document a 政务公开办 would sign.

Word layout follows GB/T 9704 (党政机关公文格式) as far as a generated file can: A4, margins
37/35/28/26 mm, title in 方正小标宋简体 二号, headings in 黑体 / 楷体_GB2312 三号, body in
仿宋_GB2312 三号 with a fixed 28.95 pt line, page numbers "— n —" in the footer, every 附件 on a
new page with bordered tables. The fonts are declared with fallbacks (w:altName in the font table
and the usual Windows names), so a machine without the 方正/GB2312 fonts substitutes 宋体/黑体/仿宋.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from govmon.report.document import Block

FONTS = {  # name → fallbacks (altName first)
    "方正小标宋简体": ("宋体", "SimSun", "Noto Serif CJK SC"),
    "黑体": ("SimHei", "Noto Sans CJK SC"),
    "楷体_GB2312": ("楷体", "KaiTi", "Noto Serif CJK SC"),
    "仿宋_GB2312": ("仿宋", "FangSong", "Noto Serif CJK SC"),
}
SIZE_2 = Pt(22)   # 二号
SIZE_3 = Pt(16)   # 三号
SIZE_TABLE = Pt(12)  # 小四
LINE = Pt(28.95)


# ---------------------------------------------------------------- Markdown
def to_markdown(blocks: list[Block]) -> str:
    out: list[str] = []
    for b in blocks:
        if b.kind == "title":
            out += [f"# {b.text}", ""]
        elif b.kind == "addressee":
            out += [b.text, ""]
        elif b.kind == "h1":
            out += [f"## {b.text}", ""]
        elif b.kind == "h2":
            out += [f"### {b.text}", ""]
        elif b.kind in ("para", "note"):
            out += [b.text, ""]
        elif b.kind == "list":
            out += [b.text, ""] + [f"- {line}" for line in b.lines] + [""]
        elif b.kind == "signature":
            out += [f"<p align=\"right\">{b.text}<br>{'<br>'.join(b.lines)}</p>", ""]
        elif b.kind == "annex":
            out += ["---", "", f"**附件{b.number}**", "", f"### {b.text}", ""]
            out.append("| " + " | ".join(b.headers) + " |")
            out.append("|" + "---|" * len(b.headers))
            if b.rows:
                out += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in b.rows]
            else:
                out.append("| " + " | ".join(["无"] + [""] * (len(b.headers) - 1)) + " |")
            out.append("")
    return "\n".join(out).rstrip() + "\n"


# ---------------------------------------------------------------- Word
def _set_font(target, name: str, size=None, bold=None) -> None:
    """Set a run or style font: East Asian name plus a Latin font, size and weight."""
    font = target.font
    font.name = "Times New Roman"
    if size is not None:
        font.size = size
    if bold is not None:
        font.bold = bold
    rpr = target.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    rfonts.set(qn("w:eastAsia"), name)
    rfonts.set(qn("w:ascii"), "Times New Roman")
    rfonts.set(qn("w:hAnsi"), "Times New Roman")


def _declare_font_fallbacks(doc) -> None:
    """Add our fonts to word/fontTable.xml with w:altName, the fallback Word and LibreOffice read.
    python-docx keeps that part as plain bytes, so it is parsed, extended and written back."""
    from lxml import etree

    part = next(rel.target_part for rel in doc.part.rels.values() if rel.reltype.endswith("/fontTable"))
    root = etree.fromstring(part.blob)
    existing = {f.get(qn("w:name")) for f in root.findall(qn("w:font"))}
    for name, fallbacks in FONTS.items():
        if name in existing:
            continue
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        etree.SubElement(font, qn("w:altName")).set(qn("w:val"), fallbacks[0])
        etree.SubElement(font, qn("w:charset")).set(qn("w:val"), "86")  # GB2312
        etree.SubElement(font, qn("w:family")).set(qn("w:val"), "modern" if name == "黑体" else "roman")
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _styles(doc) -> None:
    styles = doc.styles
    normal = styles["Normal"]
    _set_font(normal, "仿宋_GB2312", SIZE_3)
    pf = normal.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = LINE
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)

    def para_style(name, font, size, bold=False, align=None, indent=True):
        st = styles[name] if name in [s.name for s in styles] else styles.add_style(name, 1)
        st.base_style = normal
        _set_font(st, font, size, bold)
        st.font.color.rgb = None
        st.paragraph_format.alignment = align
        st.paragraph_format.first_line_indent = Pt(32) if indent else Pt(0)
        st.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        st.paragraph_format.line_spacing = LINE
        st.paragraph_format.space_before = Pt(0)
        st.paragraph_format.space_after = Pt(0)
        return st

    title = para_style("公文标题", "方正小标宋简体", SIZE_2, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    title.paragraph_format.line_spacing = Pt(36)
    title.paragraph_format.space_after = Pt(28)
    para_style("一级标题", "黑体", SIZE_3)
    para_style("二级标题", "楷体_GB2312", SIZE_3)
    para_style("公文正文", "仿宋_GB2312", SIZE_3)
    para_style("主送机关", "仿宋_GB2312", SIZE_3, indent=False)
    para_style("附件标记", "黑体", SIZE_3, indent=False)
    annex_title = para_style("附件标题", "方正小标宋简体", Pt(18), align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    annex_title.paragraph_format.space_after = Pt(12)
    para_style("表格文字", "仿宋_GB2312", SIZE_TABLE, indent=False).paragraph_format.line_spacing = Pt(18)
    para_style("表格表头", "黑体", SIZE_TABLE, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False).paragraph_format.line_spacing = Pt(18)
    para_style("落款", "仿宋_GB2312", SIZE_3, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    para_style("注", "仿宋_GB2312", Pt(14), indent=False)


def _page(doc) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _set_font(footer.add_run("— "), "宋体", Pt(14))
    run = footer.add_run()
    _set_font(run, "宋体", Pt(14))
    for tag, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if tag:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), tag)
            run._r.append(fld)
        else:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
    _set_font(footer.add_run(" —"), "宋体", Pt(14))


WIDE = {"突出问题", "问题描述", "栏目路径", "说明", "原突出问题", "仍存在的问题", "已整改"}
NARROW = {"序号": 1.1, "检查结果": 1.6, "复核结论": 1.6, "超期次数": 1.4, "网站标识码": 2.1, "项目": 1.8}
TEXT_WIDTH_MM = 210 - 28 - 26


def _widths(headers: list[str]) -> list[Mm]:
    weights = [NARROW.get(h, 4.0 if h in WIDE else 2.4) for h in headers]
    total = sum(weights)
    return [Mm(TEXT_WIDTH_MM * w / total) for w in weights]


def _table(doc, headers: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = _widths(headers)
    for cell, text in zip(table.rows[0].cells, headers):
        cell.paragraphs[0].text = text
        cell.paragraphs[0].style = "表格表头"
    _repeat_header(table.rows[0])
    for row in rows or [["无"] + [""] * (len(headers) - 1)]:
        cells = table.add_row().cells
        for cell, text, header in zip(cells, row, headers):
            cell.paragraphs[0].text = text
            cell.paragraphs[0].style = "表格文字"
            if header in ("序号", "检查结果", "超期次数", "复核结论"):
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for column, width in zip(table.columns, widths):
        column.width = width  # the table grid, which LibreOffice reads
    for row in table.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = width


def _repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trpr.append(el)


def to_docx(blocks: list[Block], path: Path) -> Path:
    doc = Document()
    _styles(doc)
    _page(doc)
    _declare_font_fallbacks(doc)
    first = True
    for b in blocks:
        if b.kind == "title":
            p = doc.paragraphs[0] if first and doc.paragraphs else doc.add_paragraph()
            p.text = b.text
            p.style = "公文标题"
        elif b.kind == "addressee":
            doc.add_paragraph(b.text, style="主送机关")
        elif b.kind == "h1":
            doc.add_paragraph(b.text, style="一级标题")
        elif b.kind == "h2":
            doc.add_paragraph(b.text, style="二级标题")
        elif b.kind == "para":
            doc.add_paragraph(b.text, style="公文正文")
        elif b.kind == "note":
            doc.add_paragraph(b.text, style="注")
        elif b.kind == "list":
            doc.add_paragraph(b.text, style="公文正文")
            for line in b.lines:
                p = doc.add_paragraph(line, style="公文正文")
                p.paragraph_format.first_line_indent = Pt(80)
        elif b.kind == "signature":
            doc.add_paragraph("", style="公文正文")
            doc.add_paragraph(b.text, style="落款")
            for line in b.lines:
                doc.add_paragraph(line, style="落款")
        elif b.kind == "annex":
            mark = doc.add_paragraph(f"附件{b.number}", style="附件标记")
            mark.paragraph_format.page_break_before = True
            doc.add_paragraph(b.text, style="附件标题")
            _table(doc, b.headers, b.rows)
        first = False
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(path)
    return path
