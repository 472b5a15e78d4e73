"""Clients of an app that asks for keys, and the keys, bodies and answers the auth tests share
(test_auth.py, test_key_limits.py, test_keys.py; their fixtures: conftest.py)."""

import re
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from advisor import keys
from advisor.settings import Settings
from api.main import create_app
from tests.builders import profile_data

KEY = re.compile(r"fa_[A-Za-z0-9_-]{43}")


def client_for(url: str, tmp: Path, **settings: object) -> TestClient:
    # no job worker: a job stays queued, so "jobs at once" is exact
    return TestClient(
        create_app(Settings(database_url=url, data_dir=tmp, jobs_worker=False, **settings))
    )


def new_key(client: TestClient, *scopes: str, **limits: int) -> str:
    app: FastAPI = client.app  # type: ignore[assignment]
    _, secret = keys.create_key(db=app.state.db, name="test", scopes=list(scopes), **limits)
    return secret


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def batch_of(n: int) -> dict[str, list[dict[str, object]]]:
    return {"items": [profile_data(id=f"p{i}") for i in range(n)]}


def assert_401(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["error"]["code"] == "unauthorized"
