"""Fixtures of the auth tests: one database per module, and clients of it with keys asked for
what costs (ADVISOR_AUTH=keys) or for everything under /v1 (ADVISOR_AUTH=all)."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.api.auth_helpers import client_for
from tests.conftest import fresh_database_url


@pytest.fixture(scope="module")
def keys_db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return fresh_database_url(tmp_path_factory.mktemp("auth"))


@pytest.fixture(scope="module")
def keyed(keys_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """ADVISOR_AUTH=keys."""
    with client_for(keys_db_url, tmp_path_factory.mktemp("keyed"), auth="keys") as client:
        yield client


@pytest.fixture(scope="module")
def locked(keys_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """ADVISOR_AUTH=all."""
    with client_for(keys_db_url, tmp_path_factory.mktemp("locked"), auth="all") as client:
        yield client
