"""Reports of an advice, to take to a council meeting or a colleague: PDF and XLSX, English or
Chinese, and a portfolio job's results as one workbook.

    labels     what the reports say in both languages (labels, money, names)
    document   the PDF: HTML with each mix as a chart, rendered by WeasyPrint
    workbook   the XLSX workbooks, with openpyxl

Labels are translated; the engine's reasons and sources are given as the engine wrote them
(English), beside instrument names in both languages.
"""

import json
from collections.abc import Mapping
from typing import Any, Literal

from advisor.reports.document import mix_svg, pdf, report_html
from advisor.reports.labels import Lang, Names
from advisor.reports.workbook import XLSX_MEDIA, job_xlsx, xlsx

__all__ = [
    "MEDIA",
    "XLSX_MEDIA",
    "Format",
    "Lang",
    "advice_report",
    "job_xlsx",
    "mix_svg",
    "pdf",
    "render",
    "report_html",
    "snapshot_names",
    "xlsx",
]

Format = Literal["pdf", "xlsx"]
MEDIA: dict[str, str] = {"pdf": "application/pdf", "xlsx": XLSX_MEDIA}


def snapshot_names(snapshot: Any) -> dict[str, tuple[str, str]]:
    return {r.id: (r.name_en, r.name_zh) for r in snapshot.instruments}


def render(
    fmt: Format,
    advice: Mapping[str, Any],
    profile: Mapping[str, Any] | None,
    names: Names,
    lang: Lang,
) -> bytes:
    return (pdf if fmt == "pdf" else xlsx)(advice, profile, names, lang)


def advice_report(
    *,
    db: Any,
    advice_id: str,
    snapshot: Any,
    fmt: Format,
    lang: Lang = "en",
    owner: str | None = None,
    keeper: Any = None,
) -> bytes:
    """The report of a stored decision (the answer as given, with its profile)."""
    from advisor.decisions import get_profile, get_record, unpack

    row = get_record(db=db, advice_id=advice_id, owner=owner, keeper=keeper)
    advice = json.loads(unpack(row.body))
    return render(fmt, advice, get_profile(row), snapshot_names(snapshot), lang)
