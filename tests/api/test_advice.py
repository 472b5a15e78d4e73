"""Decision records: every /v1/match answer kept, returned byte for byte, rechecked."""

import gzip
import json
import re
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import Session, select

from advisor.decisions import AdviceRecord, Keeper, get_body, get_profile, get_record, new_id
from advisor.errors import NotFound
from advisor.settings import Settings
from api.main import create_app
from catalogue.tables import CatalogueMeta, Instrument
from tests.builders import profile_data

pytestmark = pytest.mark.db

LESS_DEVELOPED = {"region_category": "less_developed"}


def _app(tmp_path: Path, database_url: str, **settings: object) -> TestClient:
    values: dict[str, object] = {
        "database_url": database_url,
        "data_dir": tmp_path,
        "snapshot_ttl_seconds": 0,
        "jobs_worker": False,
    }
    return TestClient(create_app(Settings(**{**values, **settings})))  # type: ignore[arg-type]


@pytest.fixture
def app_client(tmp_path: Path, database_url: str) -> Iterator[TestClient]:
    """The app on a fresh database (PostgreSQL when ADVISOR_TEST_DATABASE_URL is set)."""
    with _app(tmp_path, database_url) as client:
        yield client


def test_stored_advice_is_the_answer_byte_for_byte(app_client: TestClient) -> None:
    given = app_client.post("/v1/match", json=profile_data(**LESS_DEVELOPED))
    assert given.status_code == 200
    advice_id = given.json()["advice_id"]
    assert advice_id and len(advice_id) == 32
    again = app_client.get(f"/v1/advice/{advice_id}")
    assert again.status_code == 200
    assert again.headers["content-type"] == "application/json"
    assert again.content == given.content  # both decompressed by the client
    # the stored bytes are the full answer, whose lean form is what was given
    stored = get_body(db=app_client.app.state.db, advice_id=advice_id)
    assert stored == app_client.get(f"/v1/advice/{advice_id}?detail=full").content
    assert get_body(db=app_client.app.state.db, advice_id=advice_id, detail="lean") == given.content
    # over the wire the gzip middleware compresses it: the decompressed bytes are the same
    with app_client.stream(
        "GET", f"/v1/advice/{advice_id}", headers={"Accept-Encoding": "gzip"}
    ) as wire:
        assert wire.headers["content-encoding"] == "gzip"
        assert gzip.decompress(b"".join(wire.iter_raw())) == given.content


def _excluded_reasons(body: bytes) -> list[list[dict]]:  # type: ignore[type-arg]
    return [e["reasons"] for e in json.loads(body)["excluded"]]


@pytest.mark.parametrize("asked", ["lean", "full"])
def test_stored_advice_in_either_form_byte_for_byte(app_client: TestClient, asked: str) -> None:
    """Whichever form /v1/match gave, the record gives back both: the default (lean) form equal
    to a default answer, `?detail=full` to a full one, byte for byte."""
    data = profile_data(**LESS_DEVELOPED)
    suffix = "?detail=full" if asked == "full" else ""
    given = app_client.post(f"/v1/match{suffix}", json=data)
    assert given.status_code == 200
    advice_id = given.json()["advice_id"]
    lean = app_client.get(f"/v1/advice/{advice_id}")
    full = app_client.get(f"/v1/advice/{advice_id}?detail=full")
    assert lean.status_code == full.status_code == 200
    assert (full if asked == "full" else lean).content == given.content
    # the other form: a fresh answer to the same profile in that form differs only in its id
    other = "lean" if asked == "full" else "full"
    fresh = app_client.post("/v1/match" + ("?detail=full" if other == "full" else ""), json=data)
    kept = (lean if other == "lean" else full).content
    assert kept == fresh.content.replace(fresh.json()["advice_id"].encode(), advice_id.encode())
    # lean keeps the first reason of each why-not, as {rule, text, source}; full has more than
    # one somewhere, each with its criterion record
    contract = [
        [{k: r[0][k] for k in ("rule", "text", "source")}] for r in _excluded_reasons(full.content)
    ]
    assert contract == _excluded_reasons(lean.content)
    assert any(len(r) > 1 for r in _excluded_reasons(full.content))
    assert len(lean.content) < len(full.content)


def test_record_keeps_profile_revision_ruleset_and_as_of(app_client: TestClient) -> None:
    data = profile_data(**LESS_DEVELOPED)
    answer = app_client.post("/v1/match", json=data).json()
    # the record is written after the answer is on its way: reading it through the API waits
    # for that write, reading the table at once might not find it yet
    full = app_client.get(f"/v1/advice/{answer['advice_id']}?detail=full").content
    row = get_record(db=app_client.app.state.db, advice_id=answer["advice_id"])
    assert row.catalogue_revision == answer["catalogue_revision"]
    assert row.ruleset_version == answer["ruleset_version"]
    assert row.as_of.isoformat() == data["as_of"] == answer["as_of"] and row.as_of_given
    assert row.owner is None
    assert len(row.body) < len(full) / 2  # kept compressed


def test_unknown_and_malformed_ids_are_404(app_client: TestClient) -> None:
    for ident in ("0" * 32, "not-an-id", "%00"):
        response = app_client.get(f"/v1/advice/{ident}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("detail", ["lean", "full"])
def test_batch_items_are_kept_each_byte_for_byte(app_client: TestClient, detail: str) -> None:
    query = "?detail=full" if detail == "full" else ""  # lean unless asked, as /v1/match
    items = [
        profile_data(id="a", **LESS_DEVELOPED),
        {"id": "bad", "name": "no country"},
        profile_data(id="c", country="DE", city="Leipzig", name="Leipziger Lichter"),
    ]
    given = app_client.post(f"/v1/match/batch{query}", json={"items": items})
    assert given.status_code == 200
    results = given.json()["results"]
    assert [r["ok"] for r in results] == [True, False, True]
    assert results[1]["advice"] is None  # a bad item makes no record
    ids = [r["advice"]["advice_id"] for r in results if r["ok"]]
    assert len(set(ids)) == 2 and all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)
    db = app_client.app.state.db
    for item, result in zip(items, results, strict=True):
        if not result["ok"]:
            continue
        again = app_client.get(f"/v1/advice/{result['advice']['advice_id']}{query}")
        assert again.status_code == 200
        # the very bytes the batch gave for this item, between its neighbours in the body
        assert b'"ok":true,"advice":' + again.content + b',"errors":[]}' in given.content
        assert json.loads(again.content) == result["advice"]
        row = get_record(db=db, advice_id=result["advice"]["advice_id"])
        sent = {k: v for k, v in item.items() if k != "id"}
        assert get_profile(row) == sent  # the profile as sent, without the batch's id
        assert row.as_of.isoformat() == "2026-11-22" and row.as_of_given
        assert row.catalogue_revision == result["advice"]["catalogue_revision"]
        assert row.owner is None
    # rechecked like any record: same catalogue, nothing changed
    recheck = app_client.get(f"/v1/advice/{ids[0]}/recheck").json()
    assert recheck["changed"] is False and recheck["advice_id"] == ids[0]


def test_keep_advice_off_gives_no_id(tmp_path: Path, database_url: str) -> None:
    with _app(tmp_path, database_url, keep_advice=False) as client:
        answer = client.post("/v1/match", json=profile_data()).json()
        assert answer["advice_id"] is None
        batch = client.post("/v1/match/batch", json={"items": [profile_data()]}).json()
        assert batch["results"][0]["advice"]["advice_id"] is None
        with Session(client.app.state.db) as session:
            assert session.exec(select(AdviceRecord)).first() is None


def test_only_the_owner_sees_a_record_when_keys_are_on(app_client: TestClient) -> None:
    db = app_client.app.state.db
    body = app_client.post("/v1/match", json=profile_data()).content
    keeper = Keeper(db)
    advice_id = new_id()
    snapshot = app_client.app.state.snapshots.get()
    keeper.keep(
        advice_id=advice_id, profile=profile_data(), body=body, snapshot=snapshot,
        ruleset_version="x", as_of=datetime.now(UTC).date(), as_of_given=False, owner="key-a",
    )  # fmt: skip
    assert get_body(db=db, advice_id=advice_id, owner="key-a") == body
    with pytest.raises(NotFound):
        get_body(db=db, advice_id=advice_id, owner="key-b")


def _change_rate(db, instrument_id: str, rate: float) -> None:  # type: ignore[no-untyped-def]
    """Edit one record's first co-financing rate and give the catalogue a new revision."""
    with Session(db) as session:
        row = session.get(Instrument, instrument_id)
        record = json.loads(json.dumps(row.record))
        record["co_financing"][0]["rate"] = rate
        session.exec(update(Instrument).where(Instrument.id == instrument_id).values(record=record))
        meta = session.get(CatalogueMeta, "revision")
        meta.value = meta.value + "-edited"
        session.add(meta)
        session.commit()


def test_recheck_names_the_changed_record_and_field(app_client: TestClient) -> None:
    answer = app_client.post("/v1/match", json=profile_data(**LESS_DEVELOPED)).json()
    erdf = next(o for o in answer["options"] if o["instrument_id"] == "erdf_2021_2027")
    # CPR (EU) 2021/1060 Art. 112(3)(a): 85% for less developed regions; capex EUR 10m
    assert erdf["max_amount"]["amount"] == 8_500_000
    unchanged = app_client.get(f"/v1/advice/{answer['advice_id']}/recheck").json()
    assert unchanged["changed"] is False and unchanged["changes"] == []

    db = app_client.app.state.db
    with Session(db) as session:
        rates = session.get(Instrument, "erdf_2021_2027").record["co_financing"]
    assert rates[0]["region_category"] == "less_developed" and rates[0]["rate"] == 0.85
    _change_rate(db, "erdf_2021_2027", 0.5)
    recheck = app_client.get(f"/v1/advice/{answer['advice_id']}/recheck").json()
    assert recheck["changed"] is True
    assert recheck["catalogue_revision_before"] != recheck["catalogue_revision_now"]
    assert recheck["as_of_kept"] is True and recheck["as_of_now"] == "2026-11-22"
    moved = [c for c in recheck["changes"] if c["instrument_id"] == "erdf_2021_2027"]
    assert [c["what"] for c in moved] == ["amount_moved"], recheck["changes"]
    assert moved[0]["before"] == "EUR 8,500,000.00"
    assert moved[0]["after"] == "EUR 5,000,000.00"  # 50% of EUR 10m
    named = [b for c in moved for b in c["behind"] if b["kind"] == "catalogue_record"]
    assert named and named[0]["instrument_id"] == "erdf_2021_2027"
    assert named[0]["fields"] == ["co_financing"]
    # every change of this recheck rests on that record (nothing else changed)
    for change in recheck["changes"]:
        records = {b["instrument_id"] for b in change["behind"] if b["kind"] == "catalogue_record"}
        assert records == {"erdf_2021_2027"}, change


def test_recheck_without_as_of_uses_today(app_client: TestClient) -> None:
    data = profile_data(**LESS_DEVELOPED)
    del data["as_of"]
    answer = app_client.post("/v1/match", json=data).json()
    recheck = app_client.get(f"/v1/advice/{answer['advice_id']}/recheck").json()
    assert recheck["as_of_kept"] is False and "today" in recheck["note"]
    assert recheck["as_of_now"] == datetime.now().date().isoformat()


def test_reports_of_a_stored_advice(app_client: TestClient) -> None:
    import io

    from openpyxl import load_workbook

    answer = app_client.post("/v1/match", json=profile_data(**LESS_DEVELOPED)).json()
    base = f"/v1/advice/{answer['advice_id']}"
    document = app_client.get(f"{base}/report.pdf", params={"lang": "zh"})
    assert document.status_code == 200 and document.headers["content-type"] == "application/pdf"
    assert document.content.startswith(b"%PDF")
    book = app_client.get(f"{base}/report.xlsx")
    assert book.status_code == 200 and "spreadsheetml" in book.headers["content-type"]
    sheet = load_workbook(io.BytesIO(book.content))["Ranked options"]
    assert [r[1] for r in sheet.iter_rows(min_row=2, values_only=True)] == [
        o["instrument_id"] for o in answer["options"]
    ]
    assert app_client.get(f"{base}/report.pdf", params={"lang": "fr"}).status_code == 422
    assert app_client.get(f"/v1/advice/{'0' * 32}/report.xlsx").status_code == 404


def test_job_results_as_one_workbook(tmp_path: Path, database_url: str) -> None:
    import io
    import time

    from openpyxl import load_workbook

    with _app(tmp_path, database_url, jobs_worker=True) as client:
        items = [profile_data(**LESS_DEVELOPED), {"name": "bad"}]
        job = client.post("/v1/jobs", json={"items": items}).json()
        deadline = time.monotonic() + 120
        while client.get(f"/v1/jobs/{job['id']}").json()["status"] != "done":
            assert time.monotonic() < deadline
            time.sleep(0.2)
        response = client.get(f"/v1/jobs/{job['id']}/results", params={"format": "xlsx"})
        assert response.status_code == 200 and "spreadsheetml" in response.headers["content-type"]
        book = load_workbook(io.BytesIO(response.content))
        summary = list(book["Summary"].iter_rows(min_row=2, values_only=True))
        assert [(r[0], r[2]) for r in summary] == [(1, True), (2, False)]
        assert book["Ranked options"].max_row > 1


def test_cli_report_of_an_advice_file(
    tmp_path: Path, app_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from advisor.cli import app
    from advisor.settings import get_settings

    answer = tmp_path / "advice.json"
    answer.write_bytes(app_client.post("/v1/match", json=profile_data(**LESS_DEVELOPED)).content)
    out = tmp_path / "report.xlsx"
    url = app_client.app.state.settings.resolved_database_url()
    monkeypatch.setenv("ADVISOR_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["report", str(answer), "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert out.read_bytes()[:2] == b"PK"  # a zip: the xlsx container
        bad = CliRunner().invoke(app, ["report", str(answer), "-o", str(tmp_path / "r.txt")])
        assert bad.exit_code != 0
        stored = app_client.post("/v1/match", json=profile_data()).json()["advice_id"]
        app_client.app.state.keeper.flush()
        pdf_out = tmp_path / "report.pdf"
        by_id = CliRunner().invoke(app, ["report", stored, "-o", str(pdf_out), "--lang", "zh"])
        assert by_id.exit_code == 0, by_id.output
        assert pdf_out.read_bytes().startswith(b"%PDF")
    finally:
        get_settings.cache_clear()


def test_impact_reads_the_stored_decisions(app_client: TestClient) -> None:
    from advisor.impact import stored_profiles

    data = profile_data(**LESS_DEVELOPED)
    advice_id = app_client.post("/v1/match", json=data).json()["advice_id"]
    app_client.app.state.keeper.flush()
    stored = dict(stored_profiles(app_client.app.state.settings.resolved_database_url()))
    assert stored[f"advice {advice_id}"] == data  # the profile as sent (no field was null)


def test_a_record_stored_as_zlib_before_reads_back_byte_for_byte(app_client: TestClient) -> None:
    """Records kept before bodies were Zstandard frames (zlib streams) are still answered."""
    given = app_client.post("/v1/match", json=profile_data(**LESS_DEVELOPED))
    advice_id = given.json()["advice_id"]
    full = app_client.get(f"/v1/advice/{advice_id}?detail=full").content
    db = app_client.app.state.db
    stored = get_record(db=db, advice_id=advice_id)
    assert stored.body[:4] == b"\x28\xb5\x2f\xfd"  # kept as a Zstandard frame now
    old_body, old_profile = (
        zlib.compress(full, 1),
        zlib.compress(json.dumps(get_profile(stored), separators=(",", ":")).encode(), 1),
    )
    with Session(db) as session:
        session.execute(
            update(AdviceRecord)
            .where(AdviceRecord.id == advice_id)  # type: ignore[arg-type]
            .values(body=old_body, profile=old_profile)
        )
        session.commit()
    assert get_record(db=db, advice_id=advice_id).body == old_body
    assert app_client.get(f"/v1/advice/{advice_id}").content == given.content
    assert app_client.get(f"/v1/advice/{advice_id}?detail=full").content == full
    assert get_profile(get_record(db=db, advice_id=advice_id)) == get_profile(stored)
