"""Keys for what costs: no key -> 401, wrong scope -> 403, someone else's job -> 404, over a
limit -> 429 with Retry-After; keys stored hashed, revoked keys refused, the localhost default
open, and the `advisor keys` commands."""

import hashlib
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from advisor import keys
from advisor.errors import LimitExceeded, NotAuthenticated
from advisor.settings import Settings
from api.main import create_app
from tests.builders import profile_data
from tests.conftest import TEST_DATABASE_URL, _reset_postgres

pytestmark = pytest.mark.db

KEY = re.compile(r"fa_[A-Za-z0-9_-]{43}")


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> str:
    if TEST_DATABASE_URL:
        _reset_postgres(TEST_DATABASE_URL)
        return TEST_DATABASE_URL
    return f"sqlite:///{tmp_path_factory.mktemp('auth') / 'advisor.sqlite3'}"


def _client(url: str, tmp: Path, **settings: object) -> TestClient:
    # no job worker: a job stays queued, so "jobs at once" is exact
    return TestClient(
        create_app(Settings(database_url=url, data_dir=tmp, jobs_worker=False, **settings))
    )


@pytest.fixture(scope="module")
def keyed(url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """ADVISOR_AUTH=keys."""
    with _client(url, tmp_path_factory.mktemp("keyed"), auth="keys") as client:
        yield client


@pytest.fixture(scope="module")
def locked(url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """ADVISOR_AUTH=all."""
    with _client(url, tmp_path_factory.mktemp("locked"), auth="all") as client:
        yield client


def _key(client: TestClient, *scopes: str, **limits: int) -> str:
    app: FastAPI = client.app  # type: ignore[assignment]
    _, secret = keys.create_key(db=app.state.db, name="test", scopes=list(scopes), **limits)
    return secret


def _auth(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _items(n: int) -> dict[str, list[dict[str, object]]]:
    return {"items": [profile_data(id=f"p{i}") for i in range(n)]}


def _assert_401(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["error"]["code"] == "unauthorized"


# --- 401 ---------------------------------------------------------------------------------


def test_what_costs_needs_a_key(keyed: TestClient) -> None:
    job = keyed.post("/v1/jobs", json=_items(1), headers=_auth(_key(keyed, "jobs")))
    assert job.status_code == 202
    job_id = job.json()["id"]
    _assert_401(keyed.post("/v1/jobs", json=_items(1)))
    _assert_401(keyed.post("/v1/match/batch", json=_items(1)))
    _assert_401(keyed.get(f"/v1/jobs/{job_id}"))
    _assert_401(keyed.get(f"/v1/jobs/{job_id}/results"))


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
    _assert_401(keyed.post("/v1/jobs", json=_items(1), headers={"Authorization": header}))


def test_a_revoked_key_is_refused(keyed: TestClient) -> None:
    secret = _key(keyed, "jobs")
    assert keyed.post("/v1/match/batch", json=_items(1), headers=_auth(secret)).status_code == 200
    app: FastAPI = keyed.app  # type: ignore[assignment]
    (key,) = [k for k in keys.list_keys(db=app.state.db) if k.prefix == secret[:11]]
    keys.revoke_key(db=app.state.db, key_id=key.id)
    _assert_401(keyed.post("/v1/match/batch", json=_items(1), headers=_auth(secret)))


def test_the_key_is_checked_before_the_body_is_read(keyed: TestClient) -> None:
    """A refused caller cannot make the server parse a body: a broken one answers 401 or 403
    (not 400), while the same body with a valid key reaches the parser."""
    broken = b'{"items": [{"name": "unfinished'
    json_type = {"Content-Type": "application/json"}
    for path in ("/v1/jobs", "/v1/match/batch"):
        _assert_401(keyed.post(path, content=broken, headers=json_type))
        wrong = _auth(_key(keyed, "match")) | json_type
        assert keyed.post(path, content=broken, headers=wrong).status_code == 403
        right = _auth(_key(keyed, "jobs")) | json_type
        parsed = keyed.post(path, content=broken, headers=right)
        assert parsed.status_code == 400 and parsed.json()["error"]["code"] == "invalid_json"


# --- 403 ---------------------------------------------------------------------------------


def test_a_key_without_the_scope_is_forbidden(keyed: TestClient, locked: TestClient) -> None:
    match_only = _key(keyed, "match")
    for client in (keyed, locked):
        forbidden = client.post("/v1/jobs", json=_items(1), headers=_auth(match_only))
        assert forbidden.status_code == 403
        assert forbidden.json()["error"]["code"] == "forbidden"
        batch = client.post("/v1/match/batch", json=_items(1), headers=_auth(match_only))
        assert batch.status_code == 403
    jobs_only = _key(locked, "jobs")
    assert locked.get("/v1/instruments", headers=_auth(jobs_only)).status_code == 403
    assert (
        locked.post("/v1/match", json=profile_data(), headers=_auth(jobs_only)).status_code == 403
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
        _assert_401(locked.get(path))
    _assert_401(locked.get("/v1/instruments/anything"))
    _assert_401(locked.post("/v1/match", json=profile_data()))
    reader = _key(locked, "match")
    assert (
        locked.get("/v1/instruments", params={"limit": 1}, headers=_auth(reader)).status_code == 200
    )
    assert locked.post("/v1/match", json=profile_data(), headers=_auth(reader)).status_code == 200


def test_the_embedded_default_on_localhost_needs_no_key(url: str, tmp_path: Path) -> None:
    with _client(url, tmp_path) as client:  # ADVISOR_AUTH=auto, ADVISOR_HOST=127.0.0.1
        assert client.app.state.auth == "none"  # type: ignore[attr-defined]
        job = client.post("/v1/jobs", json=_items(2))
        assert job.status_code == 202
        assert client.get(f"/v1/jobs/{job.json()['id']}").json()["total"] == 2
        assert client.post("/v1/match/batch", json=_items(2)).status_code == 200


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
    mine, theirs = _key(keyed, "jobs"), _key(keyed, "jobs")
    created = keyed.post("/v1/jobs", json=_items(2), headers=_auth(mine))
    assert created.status_code == 202
    job_id = created.json()["id"]
    assert keyed.get(f"/v1/jobs/{job_id}", headers=_auth(mine)).status_code == 200
    assert keyed.get(f"/v1/jobs/{job_id}/results", headers=_auth(mine)).status_code == 200
    for path in (f"/v1/jobs/{job_id}", f"/v1/jobs/{job_id}/results"):
        other = keyed.get(path, headers=_auth(theirs))
        assert other.status_code == 404 and other.json()["error"]["code"] == "not_found"
    # told apart from an id that exists nowhere: not at all
    absent = f"{'0' * 8}-0000-0000-0000-{'0' * 12}"
    nowhere = keyed.get(f"/v1/jobs/{absent}", headers=_auth(theirs)).json()["error"]
    assert nowhere["message"].replace(absent, "ID") == other.json()["error"]["message"].replace(
        job_id, "ID"
    )


# --- 429 ---------------------------------------------------------------------------------


def test_jobs_at_once_are_limited_per_key(keyed: TestClient) -> None:
    secret, other = _key(keyed, "jobs", max_concurrent_jobs=2), _key(keyed, "jobs")
    for _ in range(2):
        assert keyed.post("/v1/jobs", json=_items(1), headers=_auth(secret)).status_code == 202
    third = keyed.post("/v1/jobs", json=_items(1), headers=_auth(secret))
    assert third.status_code == 429
    assert third.json()["error"]["code"] == "limit_exceeded"
    assert third.headers["retry-after"] == str(keys.CONCURRENT_RETRY_SECONDS)
    # another key is not held back by this one's jobs; batches are not jobs
    assert keyed.post("/v1/jobs", json=_items(1), headers=_auth(other)).status_code == 202
    assert keyed.post("/v1/match/batch", json=_items(1), headers=_auth(secret)).status_code == 200


def test_a_finished_job_frees_its_slot(keyed: TestClient) -> None:
    secret = _key(keyed, "jobs", max_concurrent_jobs=1)
    job_id = keyed.post("/v1/jobs", json=_items(1), headers=_auth(secret)).json()["id"]
    assert keyed.post("/v1/jobs", json=_items(1), headers=_auth(secret)).status_code == 429
    app: FastAPI = keyed.app  # type: ignore[assignment]
    with app.state.db.begin() as conn:
        conn.execute(text("UPDATE job SET status = 'done' WHERE id = :id"), {"id": job_id})
    assert keyed.post("/v1/jobs", json=_items(1), headers=_auth(secret)).status_code == 202


@pytest.mark.parametrize("limit", [1, 3])
def test_jobs_submitted_at_once_never_pass_the_limit_together(
    keyed: TestClient, limit: int
) -> None:
    """Eight submissions of one key at the same instant: exactly `limit` accepted, the others
    429 with Retry-After, and only the accepted ones stored and counted."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    app: FastAPI = keyed.app  # type: ignore[assignment]
    secret = _key(keyed, "jobs", max_concurrent_jobs=limit)
    key_id = keys.authenticate(db=app.state.db, secret=secret, scope="jobs", settings=Settings())
    at_once = 8
    start = Barrier(at_once)

    def submit(_: int):  # type: ignore[no-untyped-def]
        start.wait()
        return keyed.post("/v1/jobs", json=_items(2), headers=_auth(secret))

    with ThreadPoolExecutor(at_once) as pool:
        answers = list(pool.map(submit, range(at_once)))
    codes = sorted(answer.status_code for answer in answers)
    assert codes == [202] * limit + [429] * (at_once - limit), [a.text for a in answers]
    for refused in (answer for answer in answers if answer.status_code == 429):
        assert refused.json()["error"]["code"] == "limit_exceeded"
        assert refused.headers["retry-after"] == str(keys.CONCURRENT_RETRY_SECONDS)
    assert keys.active_jobs(db=app.state.db, key_id=key_id.key_id) == limit  # type: ignore[arg-type]
    # a refused job counts none of its items: 2 per accepted job
    assert keys.used_today(db=app.state.db, key_id=key_id.key_id) == 2 * limit  # type: ignore[arg-type]


def test_items_per_day_are_limited_per_key_until_midnight_utc(keyed: TestClient) -> None:
    secret = _key(keyed, "jobs", max_items_per_day=5)
    headers = _auth(secret)
    assert keyed.post("/v1/match/batch", json=_items(3), headers=headers).status_code == 200
    over = keyed.post("/v1/jobs", json=_items(3), headers=headers)  # 6 > 5
    now = datetime.now(UTC)
    assert over.status_code == 429 and over.json()["error"]["field"] == "items"
    midnight = datetime(now.year, now.month, now.day, tzinfo=UTC) + timedelta(days=1)
    assert abs(int(over.headers["retry-after"]) - (midnight - now).total_seconds()) <= 5
    # a refused request counts nothing: exactly the 2 left still fit, then nothing does
    assert keyed.post("/v1/jobs", json=_items(2), headers=headers).status_code == 202
    assert keyed.post("/v1/match/batch", json=_items(1), headers=headers).status_code == 429


def test_a_request_larger_than_a_days_quota_is_not_told_to_wait(keyed: TestClient) -> None:
    secret = _key(keyed, "jobs", max_items_per_day=2)
    refused = keyed.post("/v1/match/batch", json=_items(3), headers=_auth(secret))
    assert refused.status_code == 429 and "retry-after" not in refused.headers
    assert keyed.post("/v1/match/batch", json=_items(2), headers=_auth(secret)).status_code == 200


def test_the_daily_count_starts_again_each_utc_day(keyed: TestClient) -> None:
    app: FastAPI = keyed.app  # type: ignore[assignment]
    db = app.state.db
    secret = _key(keyed, "jobs", max_items_per_day=10)
    caller = keys.authenticate(db=db, secret=secret, scope="jobs", settings=Settings())
    late = datetime(2026, 3, 1, 23, 59, 30, tzinfo=UTC)
    keys.admit(db=db, caller=caller, items=10, job=False, now=late)
    with pytest.raises(LimitExceeded) as refused:
        keys.admit(db=db, caller=caller, items=1, job=False, now=late)
    assert refused.value.retry_after == 30
    keys.admit(db=db, caller=caller, items=10, job=False, now=late + timedelta(seconds=30))
    assert keys.used_today(db=db, key_id=caller.key_id, now=late) == 10  # type: ignore[arg-type]


def test_the_daily_count_is_atomic(keyed: TestClient) -> None:
    """Requests at once never pass the quota together: of 12 one-item requests against a
    quota of 5, exactly 5 are accepted (each the day's first row or a conditional update)."""
    from concurrent.futures import ThreadPoolExecutor

    app: FastAPI = keyed.app  # type: ignore[assignment]
    db = app.state.db
    secret = _key(keyed, "jobs", max_items_per_day=5)
    caller = keys.authenticate(db=db, secret=secret, scope="jobs", settings=Settings())
    noon = datetime(2026, 6, 1, 12, tzinfo=UTC)

    def one(_: int) -> bool:
        try:
            keys.admit(db=db, caller=caller, items=1, job=False, now=noon)
        except LimitExceeded:
            return False
        return True

    with ThreadPoolExecutor(4) as pool:
        accepted = list(pool.map(one, range(12)))
    assert accepted.count(True) == 5
    assert keys.used_today(db=db, key_id=caller.key_id, now=noon) == 5  # type: ignore[arg-type]


def test_default_limits_come_from_settings(keyed: TestClient) -> None:
    app: FastAPI = keyed.app  # type: ignore[assignment]
    secret = _key(keyed, "jobs")
    settings = Settings(key_max_jobs=7, key_items_per_day=1234)
    caller = keys.authenticate(db=app.state.db, secret=secret, scope="jobs", settings=settings)
    assert (caller.max_concurrent_jobs, caller.max_items_per_day) == (7, 1234)


# --- storage -----------------------------------------------------------------------------


def test_only_the_hash_of_a_key_is_stored(keyed: TestClient, url: str) -> None:
    app: FastAPI = keyed.app  # type: ignore[assignment]
    key, secret = keys.create_key(db=app.state.db, name="city of Kaunas", scopes=["jobs"])
    with app.state.db.connect() as conn:
        row = conn.execute(text("SELECT * FROM api_key WHERE id = :id"), {"id": key.id}).one()
    stored = " ".join(str(v) for v in row)
    assert secret not in stored and secret[11:] not in stored
    assert hashlib.sha256(secret.encode()).hexdigest() in stored
    assert key.prefix == secret[:11] and key.prefix in stored
    if url.startswith("sqlite"):
        data = Path(url.removeprefix("sqlite:///")).read_bytes()
        assert secret[11:].encode() not in data
    assert "secret_hash" not in key.model_dump()


def test_unknown_scopes_are_refused() -> None:
    from advisor.errors import InvalidInput

    with pytest.raises(InvalidInput):
        keys.create_key(db=None, name="x", scopes=["admin"])  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        keys.create_key(db=None, name="x", scopes=[])  # type: ignore[arg-type]


# --- the CLI -----------------------------------------------------------------------------


def test_keys_create_list_revoke(
    keyed: TestClient, url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from advisor.cli import app
    from advisor.settings import get_settings

    monkeypatch.setenv("ADVISOR_DATABASE_URL", url)
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        created = runner.invoke(
            app,
            ["keys", "create", "--name", "Vilnius portfolio", "--scope", "jobs", "--scope",
             "match", "--max-jobs", "2", "--items-per-day", "9"],
        )  # fmt: skip
        assert created.exit_code == 0, created.output
        (secret,) = KEY.findall(created.stdout)
        key_id = re.search(r"id ([0-9a-f-]{36})", created.output).group(1)  # type: ignore[union-attr]

        listed = runner.invoke(app, ["keys", "list"])
        assert listed.exit_code == 0
        (line,) = [ln for ln in listed.stdout.splitlines() if ln.startswith(key_id)]
        assert secret not in listed.output and secret[:11] in line
        assert "Vilnius portfolio" in line and "scopes=jobs,match" in line
        assert "max_jobs=2" in line and "items_per_day=9" in line and "active" in line

        headers = _auth(secret)
        assert keyed.post("/v1/match/batch", json=_items(1), headers=headers).status_code == 200
        revoked = runner.invoke(app, ["keys", "revoke", key_id])
        assert revoked.exit_code == 0 and key_id in revoked.stdout
        _assert_401(keyed.post("/v1/match/batch", json=_items(1), headers=headers))
        listed = runner.invoke(app, ["keys", "list"])
        assert "revoked" in next(ln for ln in listed.stdout.splitlines() if key_id in ln)

        bad_scope = runner.invoke(app, ["keys", "create", "--name", "x", "--scope", "admin"])
        assert bad_scope.exit_code == 2
        missing = runner.invoke(app, ["keys", "revoke", "no-such-key"])
        assert missing.exit_code == 2
    finally:
        get_settings.cache_clear()

    app_: FastAPI = keyed.app  # type: ignore[assignment]
    with pytest.raises(NotAuthenticated):
        keys.authenticate(db=app_.state.db, secret=secret, scope="jobs", settings=Settings())


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
