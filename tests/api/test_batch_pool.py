"""/v1/match/batch in its own process (advisor/batchwork.py): the same answer as matching each
item on its own, a new catalogue revision picked up, gzip once, and no process left behind."""

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import zstandard
from fastapi.testclient import TestClient
from sqlalchemy import text

from advisor.advice import advise
from advisor.batch import advise_items
from advisor.batchwork import advise_rows
from advisor.detail import lean_data
from advisor.models import BatchResponse
from advisor.settings import Settings
from api.main import create_app
from catalogue.db import make_engine
from tests.builders import profile_data

pytestmark = pytest.mark.db

ITEMS = [
    profile_data(id="lights"),
    {"id": 7, "name": "x", "country": "XX"},  # not a country: this item's errors, not a 4xx
    profile_data(sector="transport", capex={"amount": 40_000_000, "currency": "EUR"}),
    {"name": "nothing else"},
    profile_data(id="Vilnius – ąčę", country="DE", city="Köln"),
]


@pytest.fixture
def api(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    # the batch process reads its settings from the environment, as a server's would
    monkeypatch.setenv("ADVISOR_SNAPSHOT_TTL_SECONDS", "0")
    monkeypatch.setenv("ADVISOR_DATABASE_URL", database_url)
    settings = Settings(database_url=database_url, data_dir=tmp_path, snapshot_ttl_seconds=0)
    with TestClient(create_app(settings)) as client:
        yield client


def _children(client: TestClient) -> list[int]:
    return list(client.app.state.batch_pool._processes)  # type: ignore[attr-defined]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _without_ids(body: dict) -> dict:  # type: ignore[type-arg]
    """The batch body without its items' `advice_id`s (new ones each time: decision records)."""
    for result in body["results"]:
        if result["advice"] is not None:
            assert len(result["advice"]["advice_id"]) == 32
            result["advice"]["advice_id"] = None  # as advise_items gives it
    return body


@pytest.mark.parametrize("detail", ["lean", "full"])
def test_batch_answers_as_each_item_matched_on_its_own(api: TestClient, detail: str) -> None:
    query = "?detail=full" if detail == "full" else ""  # items are lean by default
    answer = api.post(
        f"/v1/match/batch{query}", json={"items": ITEMS}, headers={"accept-encoding": "identity"}
    )
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
    assert "content-encoding" not in answer.headers
    body = answer.json()
    BatchResponse.model_validate(body)  # the documented shape
    snapshot = api.app.state.snapshots.get()
    expected = advise_items(ITEMS, lambda p: advise(p, snapshot)).model_dump(mode="json")
    if detail == "lean":
        for result in expected["results"]:
            if result["advice"] is not None:
                result["advice"] = lean_data(result["advice"])
    assert _without_ids(body) == expected
    assert [r["ok"] for r in body["results"]] == [True, False, True, False, True]
    assert body["count"] == 5 and body["failed"] == 2
    assert body["results"][1]["id"] == "7" and body["results"][4]["id"] == "Vilnius – ąčę"
    country = {"field": "country", "message": "'XX' is not an ISO 3166-1 alpha-2 country code"}
    assert country in body["results"][1]["errors"]
    assert _children(api) and os.getpid() not in _children(api)  # it ran in another process


def test_a_large_batch_is_gzipped_once(api: TestClient) -> None:
    plain = api.post(
        "/v1/match/batch", json={"items": ITEMS}, headers={"accept-encoding": "identity"}
    )
    with api.stream(
        "POST", "/v1/match/batch", json={"items": ITEMS}, headers={"accept-encoding": "gzip"}
    ) as packed:
        raw = b"".join(packed.iter_raw())
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.headers["vary"] == "Accept-Encoding"
    # compressed once, not twice
    assert _without_ids(json.loads(gzip.decompress(raw))) == _without_ids(plain.json())
    assert len(raw) * 3 < len(plain.content)


def test_a_large_batch_is_zstd_when_the_client_accepts_it(api: TestClient) -> None:
    plain = api.post(
        "/v1/match/batch", json={"items": ITEMS}, headers={"accept-encoding": "identity"}
    )
    assert "content-encoding" not in plain.headers
    with api.stream(
        "POST", "/v1/match/batch", json={"items": ITEMS}, headers={"accept-encoding": "zstd"}
    ) as packed:
        raw = b"".join(packed.iter_raw())
    assert packed.headers["content-encoding"] == "zstd"
    assert packed.headers["vary"] == "Accept-Encoding"
    body = zstandard.ZstdDecompressor().decompress(raw)
    assert _without_ids(json.loads(body)) == _without_ids(plain.json())
    assert len(raw) * 3 < len(plain.content)


def test_the_batch_process_follows_a_new_catalogue_revision(
    api: TestClient, database_url: str
) -> None:
    first = api.post("/v1/match/batch", json={"items": ITEMS[:1]}).json()
    seeded = first["results"][0]["advice"]["catalogue_revision"]
    assert seeded == api.post("/v1/match", json=profile_data()).json()["catalogue_revision"]
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE catalogue_meta SET value = :v WHERE key = 'revision'"), {"v": "r-next"}
        )
    engine.dispose()
    again = api.post("/v1/match/batch", json={"items": ITEMS[:1]}).json()
    assert again["results"][0]["advice"]["catalogue_revision"] == "r-next"
    assert api.post("/v1/match", json=profile_data()).json()["catalogue_revision"] == "r-next"


def test_the_batch_process_ends_with_the_server(database_url: str, tmp_path: Path) -> None:
    settings = Settings(database_url=database_url, data_dir=tmp_path)
    with TestClient(create_app(settings)) as client:
        assert client.post("/v1/match/batch", json={"items": ITEMS[:1]}).status_code == 200
        children = _children(client)
        assert len(children) == 1  # ADVISOR_BATCH_PROCESSES: one by default
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in children)


def test_advise_rows_gives_one_line_per_row_in_order(database_url: str) -> None:
    rows = [(3, "a", profile_data()), (9, None, {"country": "LT"})]
    lines = advise_rows(database_url, rows, limit=2)
    assert [ok for ok, _ in lines] == [True, False]
    first, second = (json.loads(line) for _, line in lines)
    assert (first["row"], first["id"], second["row"], second["id"]) == (3, "a", 9, None)
    assert len(first["advice"]["options"]) <= 2


def test_a_batch_process_that_dies_is_replaced(api: TestClient) -> None:
    assert api.post("/v1/match/batch", json={"items": ITEMS[:1]}).status_code == 200
    (child,) = _children(api)
    os.kill(child, signal.SIGKILL)  # as the kernel's out-of-memory killer would
    deadline = time.monotonic() + 10
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    answer = api.post("/v1/match/batch", json={"items": ITEMS[:2]})
    assert answer.status_code == 200 and answer.json()["count"] == 2
    assert _children(api) and child not in _children(api)


def test_a_pool_stopped_while_a_process_sends_a_result_does_not_hold_up_the_exit() -> None:
    """A batch process stopped halfway through sending its answer left the pool's manager
    thread waiting for the rest for ever, and the server's exit with it (tests/api/
    pool_helpers.py sends half a result for certain, in an interpreter of its own)."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.api.pool_helpers"],
        cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "manager alive: False" in done.stdout
