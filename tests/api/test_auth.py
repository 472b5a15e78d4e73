"""Who may call what: no key -> 401, wrong scope -> 403, someone else's job -> 404; what stays
open in each mode, and the localhost default open. Limits per key: test_key_limits.py; storage
and the `advisor keys` commands: test_keys.py."""

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from advisor import keys
from advisor.settings import Settings
from tests.api.auth_helpers import assert_401, batch_of, bearer, client_for, new_key
from tests.builders import profile_data

pytestmark = pytest.mark.db


# --- 401 ---------------------------------------------------------------------------------


def test_what_costs_needs_a_key(keyed: TestClient) -> None:
    job = keyed.post("/v1/jobs", json=batch_of(1), headers=bearer(new_key(keyed, "jobs")))
    assert job.status_code == 202
    job_id = job.json()["id"]
    assert_401(keyed.post("/v1/jobs", json=batch_of(1)))
    assert_401(keyed.post("/v1/match/batch", json=batch_of(1)))
    assert_401(keyed.get(f"/v1/jobs/{job_id}"))
    assert_401(keyed.get(f"/v1/jobs/{job_id}/results"))


@pytest.mark.parametrize(
    "header",
    [
        "Bearer not-a-key",
        "Bearer fa_" + "A" * 43,  # the shape of a key, but no such key
        "Bearer fa_\x00" + "A" * 42,
        "Basic dXNlcjpwYXNz",
    ],
)
def test_an_unknown_key_is_refused(keyed: TestClient, header: str) -> None:
    assert_401(keyed.post("/v1/jobs", json=batch_of(1), headers={"Authorization": header}))


def test_a_revoked_key_is_refused(keyed: TestClient) -> None:
    secret = new_key(keyed, "jobs")
    assert (
        keyed.post("/v1/match/batch", json=batch_of(1), headers=bearer(secret)).status_code == 200
    )
    app: FastAPI = keyed.app  # type: ignore[assignment]
    (key,) = [k for k in keys.list_keys(db=app.state.db) if k.prefix == secret[:11]]
    keys.revoke_key(db=app.state.db, key_id=key.id)
    assert_401(keyed.post("/v1/match/batch", json=batch_of(1), headers=bearer(secret)))


def test_the_key_is_checked_before_the_body_is_read(keyed: TestClient) -> None:
    """A refused caller cannot make the server parse a body: a broken one answers 401 or 403
    (not 400), while the same body with a valid key reaches the parser."""
    broken = b'{"items": [{"name": "unfinished'
    json_type = {"Content-Type": "application/json"}
    for path in ("/v1/jobs", "/v1/match/batch"):
        assert_401(keyed.post(path, content=broken, headers=json_type))
        wrong = bearer(new_key(keyed, "match")) | json_type
        assert keyed.post(path, content=broken, headers=wrong).status_code == 403
        right = bearer(new_key(keyed, "jobs")) | json_type
        parsed = keyed.post(path, content=broken, headers=right)
        assert parsed.status_code == 400 and parsed.json()["error"]["code"] == "invalid_json"


# --- 403 ---------------------------------------------------------------------------------


def test_a_key_without_the_scope_is_forbidden(keyed: TestClient, locked: TestClient) -> None:
    match_only = new_key(keyed, "match")
    for client in (keyed, locked):
        forbidden = client.post("/v1/jobs", json=batch_of(1), headers=bearer(match_only))
        assert forbidden.status_code == 403
        assert forbidden.json()["error"]["code"] == "forbidden"
        batch = client.post("/v1/match/batch", json=batch_of(1), headers=bearer(match_only))
        assert batch.status_code == 403
    jobs_only = new_key(locked, "jobs")
    assert locked.get("/v1/instruments", headers=bearer(jobs_only)).status_code == 403
    assert (
        locked.post("/v1/match", json=profile_data(), headers=bearer(jobs_only)).status_code == 403
    )


# --- what stays open ---------------------------------------------------------------------


def test_keys_mode_leaves_single_matches_and_the_catalogue_open(keyed: TestClient) -> None:
    assert keyed.get("/health").status_code == 200
    assert keyed.get("/v1/instruments", params={"limit": 1}).status_code == 200
    assert keyed.get("/v1/vocabulary").status_code == 200
    assert keyed.post("/v1/match", json=profile_data()).status_code == 200


def test_all_mode_closes_everything_under_v1_but_health(locked: TestClient) -> None:
    assert locked.get("/health").status_code == 200
    for path in ("/v1/instruments", "/v1/business-models", "/v1/vocabulary"):
        assert_401(locked.get(path))
    assert_401(locked.get("/v1/instruments/anything"))
    assert_401(locked.post("/v1/match", json=profile_data()))
    reader = new_key(locked, "match")
    assert (
        locked.get("/v1/instruments", params={"limit": 1}, headers=bearer(reader)).status_code
        == 200
    )
    assert locked.post("/v1/match", json=profile_data(), headers=bearer(reader)).status_code == 200


def test_the_embedded_default_on_localhost_needs_no_key(keys_db_url: str, tmp_path: Path) -> None:
    with client_for(keys_db_url, tmp_path) as client:  # ADVISOR_AUTH=auto, ADVISOR_HOST=127.0.0.1
        assert client.app.state.auth == "none"  # type: ignore[attr-defined]
        job = client.post("/v1/jobs", json=batch_of(2))
        assert job.status_code == 202
        assert client.get(f"/v1/jobs/{job.json()['id']}").json()["total"] == 2
        assert client.post("/v1/match/batch", json=batch_of(2)).status_code == 200


@pytest.mark.parametrize(
    ("host", "mode"),
    [
        ("127.0.0.1", "none"),
        ("127.1.2.3", "none"),
        ("localhost", "none"),
        ("::1", "none"),
        ("[::1]", "none"),
        ("0.0.0.0", "keys"),
        ("::", "keys"),
        ("192.168.1.20", "keys"),
        ("advisor.example.org", "keys"),
    ],
)
def test_auto_opens_only_a_loopback_server(host: str, mode: str) -> None:
    assert Settings(host=host).resolved_auth() == mode
    assert Settings(host=host, auth="keys").resolved_auth() == "keys"
    assert Settings(host=host, auth="none").resolved_auth() == "none"


# --- 404: a job belongs to its key -------------------------------------------------------


def test_someone_elses_job_is_not_found(keyed: TestClient) -> None:
    mine, theirs = new_key(keyed, "jobs"), new_key(keyed, "jobs")
    created = keyed.post("/v1/jobs", json=batch_of(2), headers=bearer(mine))
    assert created.status_code == 202
    job_id = created.json()["id"]
    assert keyed.get(f"/v1/jobs/{job_id}", headers=bearer(mine)).status_code == 200
    assert keyed.get(f"/v1/jobs/{job_id}/results", headers=bearer(mine)).status_code == 200
    for path in (f"/v1/jobs/{job_id}", f"/v1/jobs/{job_id}/results"):
        other = keyed.get(path, headers=bearer(theirs))
        assert other.status_code == 404 and other.json()["error"]["code"] == "not_found"
    # told apart from an id that exists nowhere: not at all
    absent = f"{'0' * 8}-0000-0000-0000-{'0' * 12}"
    nowhere = keyed.get(f"/v1/jobs/{absent}", headers=bearer(theirs)).json()["error"]
    assert nowhere["message"].replace(absent, "ID") == other.json()["error"]["message"].replace(
        job_id, "ID"
    )


def test_serve_on_a_public_host_asks_for_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """`advisor serve --host 0.0.0.0` reaches the app (in every worker process) through the
    environment, so ADVISOR_AUTH=auto turns keys on."""
    import uvicorn
    from typer.testing import CliRunner

    from advisor.cli import app
    from advisor.settings import get_settings

    ran: list[str] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: ran.append(kw["host"]))
    monkeypatch.setenv("ADVISOR_HOST", "127.0.0.1")  # restored afterwards: serve sets it
    monkeypatch.delenv("ADVISOR_AUTH", raising=False)
    get_settings.cache_clear()
    try:
        assert get_settings().resolved_auth() == "none"
        result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0"])
        assert result.exit_code == 0, result.output
        assert ran == ["0.0.0.0"] and get_settings().resolved_auth() == "keys"
    finally:
        get_settings.cache_clear()
