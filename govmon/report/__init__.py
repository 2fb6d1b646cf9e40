"""The quarterly 通报: what operators today write by hand (see ../shared/seeds)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from govmon.quarters import Quarter
from govmon.report.data import ReportData, ReportError, Settings, gather


@dataclass
class Written:
    docx: Path
    markdown: Path
    data: ReportData


def write_report(quarter: Quarter | str, out_dir: str | Path, *, region: str | None = None,
                 settings: Settings | None = None, issue_date: dt.date | None = None,
                 url: str | None = None) -> Written:
    from govmon.report.document import build
    from govmon.report.render import to_docx, to_markdown

    data = gather(quarter, region=region, settings=settings, issue_date=issue_date, url=url)
    blocks = build(data)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"通报-{data.quarter}-{data.scope_code}"
    md = out / f"{stem}.md"
    md.write_text(to_markdown(blocks), encoding="utf-8")
    docx = to_docx(blocks, out / f"{stem}.docx")
    return Written(docx, md, data)


__all__ = ["ReportData", "ReportError", "Settings", "Written", "gather", "write_report"]
