"""Reports read back: the PDF's text (names in English and Chinese, amounts) and the XLSX cells."""

import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from advisor.advice import advise
from advisor.reports import job_xlsx, mix_svg, pdf, snapshot_names, xlsx
from catalogue.snapshot import Snapshot
from tests.builders import make_profile, profile_data

ROOT = Path(__file__).resolve().parents[2]
PROFILE = profile_data(region_category="less_developed")  # LT, EUR 10m capex, municipality
# CPR (EU) 2021/1060 Art. 112(3)(a): ERDF up to 85% in less developed regions: EUR 8.5m of 10m
ERDF_AMOUNT = "EUR 8,500,000.00"


@pytest.fixture(scope="module")
def answer(snapshot: Snapshot) -> dict:  # type: ignore[type-arg]
    return advise(make_profile(region_category="less_developed"), snapshot).model_dump(mode="json")


def _text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _keep_page_image(content: bytes, name: str) -> None:
    """A rendered first page as a CI artefact (ADVISOR_REPORT_ARTIFACTS set)."""
    if not os.environ.get("ADVISOR_REPORT_ARTIFACTS"):
        return
    assert shutil.which("pdftoppm"), "poppler-utils is needed to render report pages"
    out = ROOT / "ci-artifacts" / "reports"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.pdf").write_bytes(content)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile",
         str(out / f"{name}.pdf"), str(out / name)],
        check=True,
    )  # fmt: skip
    assert (out / f"{name}.png").stat().st_size > 1000


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_pdf_names_instruments_in_both_languages_with_amounts(
    answer: dict,  # type: ignore[type-arg]
    snapshot: Snapshot,
    lang: str,
) -> None:
    content = pdf(answer, PROFILE, snapshot_names(snapshot), lang)  # type: ignore[arg-type]
    assert content.startswith(b"%PDF")
    text = _text(content)
    erdf = snapshot.instrument("erdf_2021_2027")
    assert erdf is not None and erdf.name_zh
    assert _flat(erdf.name_en) in _flat(text)
    assert _flat(erdf.name_zh) in _flat(text)
    assert ERDF_AMOUNT in text
    assert "Test project" in text and answer["catalogue_revision"] in _flat(text)
    heading = "Why not" if lang == "en" else "不适用的工具及原因"
    assert heading in text
    # every mix's gap is printed
    for mix in answer["mixes"]:
        assert f"{mix['gap']['currency']} {mix['gap']['amount']:,.2f}" in text
    if lang == "zh":  # the CJK font is embedded in the file, not merely named
        page = PdfReader(io.BytesIO(content)).pages[0]
        fonts = [f.get_object() for f in page["/Resources"]["/Font"].values()]
        cjk = [f for f in fonts if "CJK" in str(f["/BaseFont"])]
        assert cjk, [f["/BaseFont"] for f in fonts]
        descendant = (
            cjk[0]["/DescendantFonts"][0].get_object() if "/DescendantFonts" in cjk[0] else cjk[0]
        )
        descriptor = descendant["/FontDescriptor"].get_object()
        assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    _keep_page_image(content, f"advice-{lang}")


def test_mix_chart_is_svg_with_the_gap(answer: dict, snapshot: Snapshot) -> None:  # type: ignore[type-arg]
    mix = answer["mixes"][0]
    svg = mix_svg(mix, snapshot_names(snapshot), "en")
    assert svg.startswith("<svg") and svg.count("<rect") >= len(mix["components"])


def test_xlsx_cells(answer: dict, snapshot: Snapshot) -> None:  # type: ignore[type-arg]
    book = load_workbook(io.BytesIO(xlsx(answer, PROFILE, snapshot_names(snapshot), "zh")))
    assert book.sheetnames[:2] == ["项目", "推荐融资工具（按排名）"]
    options = book["推荐融资工具（按排名）"]
    head = [c.value for c in options[1]]
    assert head[:4] == ["排名", "instrument_id", "name_en", "name_zh"]
    rows = {r[1]: r for r in options.iter_rows(min_row=2, values_only=True)}
    erdf = rows["erdf_2021_2027"]
    assert erdf[3] == snapshot.instrument("erdf_2021_2027").name_zh  # type: ignore[union-attr]
    assert erdf[head.index("最高金额")] == 8_500_000  # a number, not text
    assert [r[0] for r in options.iter_rows(min_row=2, values_only=True)] == list(
        range(1, len(answer["options"]) + 1)
    )
    mixes = book["融资组合"]
    for mix in answer["mixes"]:
        parts = [r for r in mixes.iter_rows(min_row=2, values_only=True) if r[0] == mix["label"]]
        # components + gap add up to the project's cost (capex EUR 10m) to the cent
        assert round(sum(r[4] for r in parts) + parts[0][-1], 2) == 10_000_000
    why_not = book["不适用的工具及原因"]
    assert why_not.max_row - 1 == len(answer["excluded"])
    summary = {r[0]: r[1] for r in book["项目"].iter_rows(min_row=2, values_only=True)}
    assert summary["capex"] == "EUR 10,000,000.00" and summary["country"] == "LT"


def test_job_workbook_has_a_summary_and_a_row_per_option(answer: dict) -> None:  # type: ignore[type-arg]
    records = [
        {"row": 1, "id": "a", "ok": True, "advice": answer},
        {"row": 2, "id": "b", "ok": False, "errors": [{"field": "country", "message": "bad"}]},
    ]
    book = load_workbook(io.BytesIO(job_xlsx(records)))
    assert book.sheetnames == ["Summary", "Ranked options", "Funding mixes"]
    summary = list(book["Summary"].iter_rows(min_row=2, values_only=True))
    assert [r[:3] for r in summary] == [(1, "a", True), (2, "b", False)]
    assert summary[1][3] == "bad"
    options = list(book["Ranked options"].iter_rows(min_row=2, values_only=True))
    assert len(options) == len(answer["options"])
    assert {r[3] for r in options} == {o["instrument_id"] for o in answer["options"]}
    assert book["Summary"].auto_filter.ref
