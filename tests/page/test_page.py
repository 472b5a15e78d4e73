"""The officer's page at / in Chromium, against a real `advisor serve` (tests/page/conftest.py).

Expected values come from the project described and the law: the README's example is a
EUR 12m street-lighting project of a municipality in Lithuania, in a less developed region, on
2026-11-22. ERDF 2021-2027 co-finances at most 85% of the eligible cost there (Reg. (EU)
2021/1060 Art. 112(3)(a)): EUR 10.2m. ERDF 2021-2027 opened on 1 January 2021 (the same
regulation applies from that date, Art. 153), so for the same project as of 2014 it is no option.
Horizon 2020 closed on 31 December 2020 and Horizon Europe succeeded it (Reg. (EU) 2021/695).
"""

import csv
import io
import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.servers import Server

pytestmark = pytest.mark.browser

EXAMPLE = {
    "name": "LED street lighting",
    "country": "LT",
    "city": "Vilnius",
    "sector": "street_lighting",
    "stage": "deployment",
    "capex": {"amount": 12000000, "currency": "EUR"},
    "revenue_streams": ["energy_savings"],
    "applicant": "municipality",
    "region_category": "less_developed",
    "as_of": "2026-11-22",
}
ERDF = "erdf_2021_2027"
TIMEOUT = 60_000  # ms: the first match warms the engine up


def _open(page, server: Server) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url + "/")
    page.wait_for_selector("body[data-ready='true']", timeout=TIMEOUT)


def _fill_example_by_hand(page) -> None:  # type: ignore[no-untyped-def]
    """Type the README's example into the form, field by field."""
    page.fill("#f-name", EXAMPLE["name"])
    page.fill("#f-country", EXAMPLE["country"])
    page.fill("#f-city", EXAMPLE["city"])
    page.select_option("#f-sector", EXAMPLE["sector"])
    page.select_option("#f-stage", EXAMPLE["stage"])
    page.fill("#f-capex-amount", "12000000")
    page.select_option("#f-capex-currency", "EUR")
    page.check("#f-revenue_streams-energy_savings")
    page.select_option("#f-applicant", EXAMPLE["applicant"])
    page.select_option("#f-region_category", EXAMPLE["region_category"])
    page.fill("#f-as_of", EXAMPLE["as_of"])


def _wait_for_answer(page) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_selector("#results #answer-title", timeout=TIMEOUT)


def test_fill_the_form_and_get_ranked_sourced_options_mixes_and_models(
    page, server: Server, shot
) -> None:  # type: ignore[no-untyped-def]
    _open(page, server)
    labels = page.locator("#f-sector option").all_text_contents()
    vocabulary = httpx.get(server.url + "/v1/vocabulary").json()
    assert len(labels) == len(vocabulary["sector"])  # the form follows the vocabulary
    _fill_example_by_hand(page)
    shot(page, "form-filled")
    with page.expect_response(lambda r: urlsplit(r.url).path == "/v1/match") as matched:
        page.click("#submit")
    _wait_for_answer(page)
    shot(page, "answer")
    # Chromium accepts zstd (it sends `gzip, deflate, br, zstd`): the answer came as a
    # Zstandard frame and the browser read it
    assert matched.value.all_headers()["content-encoding"] == "zstd"

    erdf = page.locator(f".option[data-instrument='{ERDF}']")
    assert erdf.count() == 1
    assert "10,200,000" in erdf.locator(".amount").inner_text()  # 85% of EUR 12m
    assert "Deployment" in erdf.locator(".phase").inner_text()
    # reasons carry their sources; a legal reference is a link
    links = erdf.locator(".reasons a[href^='http']")
    assert links.count() >= 1
    assert any("2021/1060" in t for t in erdf.locator(".source").all_inner_texts())
    # a seed reference reads as the study, section and line
    seed = page.locator(".source.seed").first
    assert "study (2014)" in seed.inner_text() and "line" in seed.inner_text()

    ranks = page.locator(".option .rank").all_inner_texts()
    assert ranks == [f"#{i}" for i in range(1, len(ranks) + 1)]

    # every mix is a stacked bar; its components and gap add up to the project's cost
    mixes = page.locator(".mix")
    assert mixes.count() >= 1
    bar = mixes.first.locator("svg.mix-bar")
    widths = [float(w) for w in bar.locator("rect:not(pattern rect)").evaluate_all(
        "rs => rs.map(r => r.getAttribute('width'))")]  # fmt: skip
    assert abs(sum(widths) - 600) < 0.5
    assert page.locator(".models .model").count() >= 1

    # why-not: Horizon 2020 closed, its successor named; near-misses say what would qualify
    horizon = page.locator(".excluded[data-instrument='horizon_2020']")
    assert "Horizon Europe" in horizon.locator(".successor").inner_text()
    assert page.locator(".would-qualify-short").count() >= 1

    # the answer names the catalogue revision it rests on
    revision = httpx.get(server.url + "/health").json()["catalogue_revision"]
    assert revision in page.locator(".advice .rests-on").inner_text()

    # the profile travels in the URL
    shared = json.loads(parse_qs(urlsplit(page.url).query)["profile"][0])
    assert shared == EXAMPLE


def test_the_answer_links_its_reports_and_rechecks_itself(page, server: Server, shot) -> None:  # type: ignore[no-untyped-def]
    """The kept decision record: its PDF and XLSX reports, and a recheck that, with the same
    catalogue and rules, finds nothing changed."""
    _open(page, server)
    _fill_example_by_hand(page)
    page.click("#submit")
    _wait_for_answer(page)
    record = page.locator(".advice .record")
    assert record.count() == 1
    for selector, media in ((".report-pdf", "application/pdf"), (".report-xlsx", "spreadsheetml")):
        href = record.locator(selector).get_attribute("href")
        assert href and href.startswith("/v1/advice/") and "lang=en" in href
        report = httpx.get(server.url + href, timeout=120)
        assert report.status_code == 200 and media in report.headers["content-type"]
    record.locator("button.recheck").click()
    page.wait_for_selector(".recheck-out .recheck-same", timeout=TIMEOUT)
    shot(page, "recheck")
    assert "Nothing has changed" in record.locator(".recheck-out").inner_text()


def test_why_not_is_lean_until_opened(page, traffic, server: Server, shot) -> None:  # type: ignore[no-untyped-def]
    """The answer arrives lean: each why-not shows its decisive reason and, for a near miss, what
    would make it qualify. Opening one asks for every criterion (?detail=full) once. Horizon
    2020 closed on 31 December 2020: in full it also names Horizon Europe as its successor."""
    _open(page, server)
    _fill_example_by_hand(page)
    page.click("#submit")
    _wait_for_answer(page)
    asked = [u for u in traffic.requests if "/v1/match" in u or "/v1/advice/" in u]
    assert asked and not [u for u in asked if "detail=full" in u]
    horizon = page.locator(".excluded[data-instrument='horizon_2020']")
    assert horizon.locator(".why-not-reasons li").count() == 1  # the decisive reason
    assert horizon.locator(".decisive").inner_text().strip(" —")
    near = page.locator(".excluded.near-miss").first
    assert near.locator(".would-qualify-short").count() == 1

    horizon.locator("summary").click()
    page.wait_for_selector(
        ".excluded[data-instrument='horizon_2020'] details[data-detail='full']", timeout=TIMEOUT
    )
    shot(page, "why-not-full")
    items = horizon.locator(".why-not-reasons li").all_inner_texts()
    assert len(items) >= 2 and any("horizon_europe" in i for i in items)
    pdf = page.locator(".advice .record .report-pdf").get_attribute("href")
    advice_id = pdf.split("/")[3]  # /v1/advice/{id}/report.pdf?lang=en
    full = httpx.get(f"{server.url}/v1/advice/{advice_id}?detail=full").json()
    (entry,) = [e for e in full["excluded"] if e["instrument_id"] == "horizon_2020"]
    assert len(items) == len(entry["reasons"])
    # a second why-not is filled from the same full answer: no second request
    other = page.locator(".excluded:not([data-instrument='horizon_2020'])").first
    other.locator("summary").click()
    other.locator("details[data-detail='full']").wait_for(timeout=TIMEOUT)
    assert len([u for u in traffic.requests if "detail=full" in u]) == 1


def test_switch_to_chinese_and_the_choice_persists(page, server: Server, shot) -> None:  # type: ignore[no-untyped-def]
    erdf_zh = httpx.get(f"{server.url}/v1/instruments/{ERDF}").json()["name_zh"]
    _open(page, server)
    page.click("#example")
    page.click("#submit")
    _wait_for_answer(page)
    page.click("#lang")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert page.title() == "资金顾问"
    assert page.locator("label[for='f-name']").inner_text() == "项目名称"
    assert page.locator("#f-sector option[value='street_lighting']").inner_text() == "街道照明"
    assert page.locator(f".option[data-instrument='{ERDF}'] h3").inner_text() == erdf_zh
    assert "欧洲区域发展基金" in page.locator(".mix .legend").first.inner_text()
    assert page.input_value("#f-name") == EXAMPLE["name"]  # the form keeps what was typed
    shot(page, "chinese")

    page.reload()
    page.wait_for_selector("body[data-ready='true']", timeout=TIMEOUT)
    _wait_for_answer(page)
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert page.locator("#submit").inner_text() == "获取建议"
    page.click("#lang")
    assert page.locator("#submit").inner_text() == "Get advice"


def test_a_bad_value_is_shown_on_the_field_the_service_names(page, server: Server, shot) -> None:  # type: ignore[no-untyped-def]
    _open(page, server)
    page.click("#example")
    page.fill("#f-country", "ZZ")  # no such ISO 3166-1 code
    page.fill("#f-capex-amount", "-5")  # an investment cost must be above zero
    page.click("#submit")
    page.wait_for_selector(".field-error", timeout=TIMEOUT)
    shot(page, "inline-errors")
    country = page.locator("[data-field='country'] .field-error")
    assert "ZZ" in country.inner_text()
    assert page.get_attribute("#f-country", "aria-invalid") == "true"
    described = page.get_attribute("#f-country", "aria-describedby")
    assert page.locator(f"#{described}").inner_text() == country.inner_text()
    assert page.locator("[data-field='capex.amount'] .field-error").count() == 1
    assert page.locator("[data-field='name'] .field-error").count() == 0
    assert page.locator("#results").is_hidden()
    assert page.evaluate("document.activeElement.id") == "f-country"

    page.fill("#f-country", "LT")
    page.fill("#f-capex-amount", "12000000")
    page.click("#submit")
    _wait_for_answer(page)
    assert page.locator(".field-error").count() == 0

    # a bad value in variant B is shown on B's own field, not on A's
    page.check("#f-compare")
    page.fill("#f-variant-country", "QQ")
    page.click("#submit")
    page.wait_for_selector(".field-error", timeout=TIMEOUT)
    shot(page, "variant-error")
    assert "QQ" in page.locator("[data-field='variant.country'] .field-error").inner_text()
    assert page.locator("[data-field='country'] .field-error").count() == 0


def test_compare_two_variants_side_by_side_and_reopen_the_link(
    page, context, server: Server, shot
) -> None:  # type: ignore[no-untyped-def]
    _open(page, server)
    page.click("#example")
    page.check("#f-compare")
    page.fill("#f-variant-as_of", "2014-06-01")
    page.click("#submit")
    page.wait_for_selector(".side-by-side", timeout=TIMEOUT)
    shot(page, "compare", full_page=True)
    a = page.locator(".variant-column[data-variant='a']")
    b = page.locator(".variant-column[data-variant='b']")
    assert a.locator(f"li[data-instrument='{ERDF}']").get_attribute("class") == "diff only"
    assert b.locator(f"li[data-instrument='{ERDF}']").count() == 0
    assert "2026-11-22" in a.locator(".rests-on").inner_text()
    assert "2014-06-01" in b.locator(".rests-on").inner_text()
    assert "Only in A" in page.locator(".differences").inner_text()

    link = page.url
    other = context.new_page()
    other.goto(link)
    other.wait_for_selector(".side-by-side", timeout=TIMEOUT)
    assert other.locator(".variant-column[data-variant='b'] .rests-on").inner_text() == (
        b.locator(".rests-on").inner_text()
    )
    assert other.input_value("#f-variant-as_of") == "2014-06-01"


def test_a_shared_link_reopens_the_same_answer(browser, page, server: Server, shot) -> None:  # type: ignore[no-untyped-def]
    _open(page, server)
    page.click("#example")
    page.fill("#f-capex-amount", "8000000")
    page.click("#submit")
    _wait_for_answer(page)
    first = page.locator(".option h3").all_inner_texts()
    amounts = page.locator(".option .amount").all_inner_texts()
    link = page.url

    fresh = browser.new_context(viewport={"width": 1280, "height": 900})  # no storage at all
    try:
        other = fresh.new_page()
        other.goto(link)
        other.wait_for_selector("#results #answer-title", timeout=TIMEOUT)
        shot(other, "shared-link")
        assert other.locator(".option h3").all_inner_texts() == first
        assert other.locator(".option .amount").all_inner_texts() == amounts
        assert other.input_value("#f-capex-amount") == "8000000"
        erdf = other.locator(f".option[data-instrument='{ERDF}'] .amount")
        assert "6,800,000" in erdf.inner_text()  # 85% of EUR 8m
        other.emulate_media(media="print")
        assert other.locator("#describe").is_hidden() and other.locator("#results").is_visible()
        shot(other, "print")
    finally:
        fresh.close()


def test_a_csv_portfolio_runs_as_a_job_through_to_download(
    page, server: Server, shot, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    portfolio = tmp_path / "portfolio.csv"
    portfolio.write_text(
        "id,name,country,sector,stage,capex.amount,capex.currency,revenue_streams,applicant,"
        "region_category,as_of\n"
        "vilnius,LED street lighting,LT,street_lighting,deployment,12000000,EUR,energy_savings,"
        "municipality,less_developed,2026-11-22\n"
        'nowhere,"Lights, nowhere",ZZ,street_lighting,deployment,1000000,EUR,,municipality,,'
        "2026-11-22\n"
        "heat,District heating,PL,district_heating,planning,30000000,EUR,user_fees;energy_savings,"
        "municipal_company,less_developed,2026-11-22\n",
        encoding="utf-8",
    )
    _open(page, server)
    page.set_input_files("#csv-file", str(portfolio))
    page.click("#run-portfolio")
    page.wait_for_selector("#download-csv", timeout=TIMEOUT)
    shot(page, "portfolio-done")
    assert page.get_attribute("#job-progress", "value") == "3"
    assert page.get_attribute("#job-progress", "max") == "3"
    assert "1 failed" in page.locator("#job-text").inner_text()
    with page.expect_download() as info:
        page.click("#download-csv")
    rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8"))))
    assert [r["id"] for r in rows] == ["vilnius", "nowhere", "heat"]
    assert [r["ok"] for r in rows] == ["True", "False", "True"]
    assert "country" in rows[1]["error"]
    assert rows[0]["option_1_id"] and rows[0]["as_of"] == "2026-11-22"
    assert rows[2]["currency"] == "EUR" and rows[1]["option_1_id"] == ""


def test_keyboard_only_with_every_input_labelled(page, server: Server, shot) -> None:  # type: ignore[no-untyped-def]
    _open(page, server)
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    page.check("#f-compare")
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input, select, textarea, progress')]
            .filter(e => !(e.labels && e.labels.length && e.labels[0].textContent.trim())
                         && !e.getAttribute('aria-label'))
            .map(e => e.id || e.name || e.outerHTML)"""
    )
    assert unlabelled == []
    page.reload()
    page.wait_for_selector("body[data-ready='true']", timeout=TIMEOUT)

    def tab_to(element_id: str, key: str = "Tab") -> None:
        for _ in range(200):
            page.keyboard.press(key)
            if page.evaluate("document.activeElement.id") == element_id:
                return
        raise AssertionError(f"{element_id} cannot be reached with {key}")

    tab_to("example")
    page.keyboard.press("Enter")
    tab_to("f-name", "Shift+Tab")
    page.keyboard.press("Control+A")
    page.keyboard.type("Street lights by keyboard")
    tab_to("f-region_category")
    page.keyboard.press("End")  # the last category: more developed
    tab_to("submit")
    shot(page, "keyboard-focus")
    page.keyboard.press("Enter")
    _wait_for_answer(page)
    assert page.evaluate("document.activeElement.id") == "answer-title"
    assert "Street lights by keyboard" in page.locator("#answer-title").inner_text()
    # a more developed region: ERDF co-finances at most 40% (Reg. (EU) 2021/1060 Art. 112(3)(c))
    erdf = page.locator(f".option[data-instrument='{ERDF}'] .amount")
    assert "4,800,000" in erdf.inner_text()
    shot(page, "keyboard-answer")


@pytest.mark.parametrize("path", ["/", "/docs", "/redoc"])
def test_no_request_goes_to_another_host(page, traffic, server: Server, shot, path: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url + path)
    if path == "/":
        page.wait_for_selector("body[data-ready='true']", timeout=TIMEOUT)
        page.click("#example")
        page.click("#submit")
        _wait_for_answer(page)
    elif path == "/docs":
        page.wait_for_selector(".swagger-ui .info .title", timeout=TIMEOUT)
        assert "Funding Advisor" in page.locator(".swagger-ui .info .title").inner_text()
        assert page.locator(".opblock").count() > 5
    else:
        page.wait_for_selector("redoc h1, .api-content h1", timeout=TIMEOUT)
        assert "Funding Advisor" in page.locator("h1").first.inner_text()
    page.wait_for_load_state("networkidle")
    shot(page, path.strip("/") or "page")
    assert traffic.requests, "no request seen"
    assert traffic.foreign == []  # the context fixture checks the same at its end


def test_a_front_end_on_a_listed_origin_may_call_the_api(server: Server) -> None:
    from tests.page.conftest import CORS_ORIGIN

    answer = httpx.options(
        server.url + "/v1/match",
        headers={"Origin": CORS_ORIGIN, "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"},
    )  # fmt: skip
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == CORS_ORIGIN
    other = httpx.options(
        server.url + "/v1/match",
        headers={"Origin": "http://other.invalid", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in other.headers
