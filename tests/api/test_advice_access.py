"""Stored decisions follow the key rules: with ADVISOR_AUTH=keys or all, GET /v1/advice/{id},
its recheck and its reports need a key with scope `advice` (401 without one, 403 without the
scope); a record made with a key belongs to that key (another key gets 404, as jobs do); one
made without a key is readable by any key with the scope. /v1/match stays free under `keys`.
Under `none` nothing asks for a key."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from advisor import keys
from advisor.decisions import get_record
from advisor.settings import Settings
from api.main import create_app
from tests.builders import profile_data
from tests.conftest import TEST_DATABASE_URL, _reset_postgres

pytestmark = pytest.mark.db

# the routes of a stored decision; the reports render only where a test asks for 200
ROUTES = ("", "/recheck", "/report.pdf", "/report.xlsx")


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> str:
    if TEST_DATABASE_URL:
        _reset_postgres(TEST_DATABASE_URL)
        return TEST_DATABASE_URL
    return f"sqlite:///{tmp_path_factory.mktemp('access') / 'advisor.sqlite3'}"


def _client(url: str, tmp: Path, auth: str) -> TestClient:
    settings = Settings(database_url=url, data_dir=tmp, jobs_worker=False, auth=auth)
    return TestClient(create_app(settings))


@pytest.fixture(scope="module")
def keyed(url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with _client(url, tmp_path_factory.mktemp("keyed"), "keys") as client:
        yield client


@pytest.fixture(scope="module")
def locked(url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with _client(url, tmp_path_factory.mktemp("locked"), "all") as client:
        yield client


@pytest.fixture(scope="module")
def open_(url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with _client(url, tmp_path_factory.mktemp("open"), "none") as client:
        yield client


def _key(client: TestClient, *scopes: str) -> tuple[str, str]:
    """(key id, secret) of a new key with these scopes."""
    app: FastAPI = client.app  # type: ignore[assignment]
    key, secret = keys.create_key(db=app.state.db, name="test", scopes=list(scopes))
    return key.id, secret


def _auth(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _owner(client: TestClient, advice_id: str) -> str | None:
    app: FastAPI = client.app  # type: ignore[assignment]
    app.state.keeper.flush()
    return get_record(db=app.state.db, advice_id=advice_id).owner


def _match(client: TestClient, headers: dict[str, str] | None = None) -> tuple[str, bytes]:
    given = client.post("/v1/match", json=profile_data(), headers=headers)
    assert given.status_code == 200, given.text
    return given.json()["advice_id"], given.content


def _assert_error(response, status: int, code: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    if status == 401:
        assert response.headers["www-authenticate"] == "Bearer"


# --- 401 and 403 ---------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["keys", "all"])
def test_stored_decisions_need_a_key_with_scope_advice(
    mode: str, keyed: TestClient, locked: TestClient
) -> None:
    client = keyed if mode == "keys" else locked
    _, maker = _key(client, "match", "advice")
    advice_id, _ = _match(client, _auth(maker))
    _, jobs_only = _key(client, "jobs")
    _, match_only = _key(client, "match")
    for route in ROUTES:
        path = f"/v1/advice/{advice_id}{route}"
        _assert_error(client.get(path), 401, "unauthorized")
        _assert_error(client.get(path, headers=_auth("fa_" + "A" * 43)), 401, "unauthorized")
        _assert_error(client.get(path, headers=_auth(jobs_only)), 403, "forbidden")
        _assert_error(client.get(path, headers=_auth(match_only)), 403, "forbidden")
    # refused before anything is looked up: an id that exists nowhere answers the same
    _assert_error(client.get(f"/v1/advice/{'0' * 32}"), 401, "unauthorized")
    _assert_error(client.get(f"/v1/advice/{'0' * 32}", headers=_auth(jobs_only)), 403, "forbidden")


def test_a_revoked_key_reads_no_more(keyed: TestClient) -> None:
    key_id, secret = _key(keyed, "advice")
    advice_id, given = _match(keyed, _auth(secret))
    assert keyed.get(f"/v1/advice/{advice_id}", headers=_auth(secret)).content == given
    app: FastAPI = keyed.app  # type: ignore[assignment]
    keys.revoke_key(db=app.state.db, key_id=key_id)
    _assert_error(keyed.get(f"/v1/advice/{advice_id}", headers=_auth(secret)), 401, "unauthorized")


# --- whose record ------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["keys", "all"])
def test_a_record_made_with_a_key_is_that_keys_alone(
    mode: str, keyed: TestClient, locked: TestClient
) -> None:
    client = keyed if mode == "keys" else locked
    mine_id, mine = _key(client, "match", "advice")
    _, theirs = _key(client, "match", "advice")
    advice_id, given = _match(client, _auth(mine))
    assert _owner(client, advice_id) == mine_id
    base = f"/v1/advice/{advice_id}"
    assert client.get(base, headers=_auth(mine)).content == given  # byte for byte
    assert client.get(f"{base}/recheck", headers=_auth(mine)).json()["advice_id"] == advice_id
    for route in ROUTES:
        other = client.get(f"{base}{route}", headers=_auth(theirs))
        _assert_error(other, 404, "not_found")
        # told apart from an id that exists nowhere: not at all
        absent = client.get(f"/v1/advice/{'0' * 32}{route}", headers=_auth(theirs))
        assert absent.status_code == 404
        told = other.json()["error"]["message"].replace(advice_id, "ID")
        assert told == absent.json()["error"]["message"].replace("0" * 32, "ID")


def test_the_owner_gets_both_reports(keyed: TestClient) -> None:
    _, mine = _key(keyed, "advice")
    advice_id, _ = _match(keyed, _auth(mine))
    document = keyed.get(f"/v1/advice/{advice_id}/report.pdf", headers=_auth(mine))
    assert document.status_code == 200 and document.content.startswith(b"%PDF")
    book = keyed.get(f"/v1/advice/{advice_id}/report.xlsx", headers=_auth(mine))
    assert book.status_code == 200 and book.content[:2] == b"PK"


def test_match_stays_free_under_keys_and_its_record_is_open_to_any_advice_key(
    keyed: TestClient,
) -> None:
    advice_id, given = _match(keyed)  # no key: free, as before
    assert _owner(keyed, advice_id) is None
    for _ in range(2):  # two different keys with the scope both read it
        _, reader = _key(keyed, "advice")
        assert keyed.get(f"/v1/advice/{advice_id}", headers=_auth(reader)).content == given
    _assert_error(keyed.get(f"/v1/advice/{advice_id}"), 401, "unauthorized")


def test_match_ties_its_record_to_any_live_key_it_carries(keyed: TestClient) -> None:
    """The key need not have scope `advice` to own the record (it then cannot read it: 403)."""
    jobs_id, jobs_only = _key(keyed, "jobs")
    advice_id, _ = _match(keyed, _auth(jobs_only))
    assert _owner(keyed, advice_id) == jobs_id
    _assert_error(keyed.get(f"/v1/advice/{advice_id}", headers=_auth(jobs_only)), 403, "forbidden")
    _, reader = _key(keyed, "advice")
    _assert_error(keyed.get(f"/v1/advice/{advice_id}", headers=_auth(reader)), 404, "not_found")


def test_batch_items_belong_to_the_batchs_key(keyed: TestClient) -> None:
    mine_id, mine = _key(keyed, "jobs", "advice")
    _, theirs = _key(keyed, "advice")
    items = [profile_data(id=f"p{i}") for i in range(2)]
    batch = keyed.post("/v1/match/batch", json={"items": items}, headers=_auth(mine))
    assert batch.status_code == 200
    ids = [r["advice"]["advice_id"] for r in batch.json()["results"]]
    assert len(set(ids)) == 2
    for advice_id in ids:
        assert _owner(keyed, advice_id) == mine_id
        own = keyed.get(f"/v1/advice/{advice_id}", headers=_auth(mine))
        assert own.status_code == 200 and own.content in batch.content
        other = keyed.get(f"/v1/advice/{advice_id}/recheck", headers=_auth(theirs))
        _assert_error(other, 404, "not_found")
    # a key that may batch but not read decisions owns its items and still needs the scope
    jobs_only = _key(keyed, "jobs")[1]
    batch = keyed.post("/v1/match/batch", json={"items": items[:1]}, headers=_auth(jobs_only))
    advice_id = batch.json()["results"][0]["advice"]["advice_id"]
    _assert_error(keyed.get(f"/v1/advice/{advice_id}", headers=_auth(jobs_only)), 403, "forbidden")


@pytest.mark.parametrize("header", ["Bearer fa_" + "A" * 43, "Bearer not-a-key"])
def test_match_with_an_unknown_key_is_refused_not_kept_open(keyed: TestClient, header: str) -> None:
    """A caller who sent a key meant the record to be theirs: an unknown or revoked key is a
    401, not an answer whose record any key could read."""
    _assert_error(
        keyed.post("/v1/match", json=profile_data(), headers={"Authorization": header}),
        401,
        "unauthorized",
    )


def test_match_under_all_still_needs_scope_match(locked: TestClient) -> None:
    _, advice_only = _key(locked, "advice")
    refused = locked.post("/v1/match", json=profile_data(), headers=_auth(advice_only))
    _assert_error(refused, 403, "forbidden")


# --- none ----------------------------------------------------------------------------------


def test_under_none_nothing_asks_for_a_key(open_: TestClient, keyed: TestClient) -> None:
    # a header is not even read: a made-up key is no error
    bogus = {"Authorization": "Bearer fa_" + "B" * 43}
    advice_id, given = _match(open_, bogus)
    assert _owner(open_, advice_id) is None
    for headers in (None, bogus):
        assert open_.get(f"/v1/advice/{advice_id}", headers=headers).content == given
        assert open_.get(f"/v1/advice/{advice_id}/recheck", headers=headers).status_code == 200
    # records made with a key elsewhere stay readable where keys are off (as today)
    _, secret = _key(keyed, "advice")
    keyed_id, keyed_given = _match(keyed, _auth(secret))
    assert _owner(keyed, keyed_id) is not None
    assert open_.get(f"/v1/advice/{keyed_id}").content == keyed_given


# --- the scope -----------------------------------------------------------------------------


def test_keys_create_accepts_scope_advice(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from advisor.cli import app
    from advisor.settings import get_settings

    monkeypatch.setenv("ADVISOR_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        created = CliRunner().invoke(
            app, ["keys", "create", "--name", "council reports", "--scope", "advice"]
        )
        assert created.exit_code == 0, created.output
        assert re.search(r"scopes advice\b", created.output)
    finally:
        get_settings.cache_clear()
