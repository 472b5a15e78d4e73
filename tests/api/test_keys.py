"""Keys stored hashed, unknown scopes refused, and the `advisor keys` commands."""

import hashlib
import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from advisor import keys
from advisor.errors import NotAuthenticated
from advisor.settings import Settings
from tests.api.auth_helpers import KEY, assert_401, batch_of, bearer

pytestmark = pytest.mark.db


# --- storage -----------------------------------------------------------------------------


def test_only_the_hash_of_a_key_is_stored(keyed: TestClient, keys_db_url: str) -> None:
    app: FastAPI = keyed.app  # type: ignore[assignment]
    key, secret = keys.create_key(db=app.state.db, name="city of Kaunas", scopes=["jobs"])
    with app.state.db.connect() as conn:
        row = conn.execute(text("SELECT * FROM api_key WHERE id = :id"), {"id": key.id}).one()
    stored = " ".join(str(v) for v in row)
    assert secret not in stored and secret[11:] not in stored
    assert hashlib.sha256(secret.encode()).hexdigest() in stored
    assert key.prefix == secret[:11] and key.prefix in stored
    if keys_db_url.startswith("sqlite"):
        data = Path(keys_db_url.removeprefix("sqlite:///")).read_bytes()
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
    keyed: TestClient, keys_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from advisor.cli import app
    from advisor.settings import get_settings

    monkeypatch.setenv("ADVISOR_DATABASE_URL", keys_db_url)
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

        headers = bearer(secret)
        assert keyed.post("/v1/match/batch", json=batch_of(1), headers=headers).status_code == 200
        revoked = runner.invoke(app, ["keys", "revoke", key_id])
        assert revoked.exit_code == 0 and key_id in revoked.stdout
        assert_401(keyed.post("/v1/match/batch", json=batch_of(1), headers=headers))
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
