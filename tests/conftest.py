import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from advisor.settings import Settings
from api.main import create_app
from catalogue import datafiles
from catalogue.db import make_engine, migrate, seed
from catalogue.snapshot import Snapshot

TEST_DATABASE_URL = os.environ.get("ADVISOR_TEST_DATABASE_URL")


@pytest.fixture(scope="session")
def seed_data() -> datafiles.SeedData:
    return datafiles.load()


@pytest.fixture(scope="session")
def snapshot(seed_data: datafiles.SeedData) -> Snapshot:
    """The catalogue straight from its data files (no database)."""
    return Snapshot(
        revision=seed_data.revision,
        instruments=seed_data.instruments,
        business_models=seed_data.business_models,
        fx_rates=seed_data.fx_rates,
        coverage=seed_data.coverage,
    )


def _reset_postgres(url: str) -> None:
    from sqlalchemy import text

    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def fresh_database_url(folder: Path) -> str:
    """A fresh database: PostgreSQL (emptied) when ADVISOR_TEST_DATABASE_URL is set, else SQLite
    in `folder`."""
    if TEST_DATABASE_URL:
        _reset_postgres(TEST_DATABASE_URL)
        return TEST_DATABASE_URL
    return f"sqlite:///{folder / 'advisor.sqlite3'}"


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """A fresh database: PostgreSQL when ADVISOR_TEST_DATABASE_URL is set, else SQLite."""
    return fresh_database_url(tmp_path)


@pytest.fixture
def db(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    migrate(engine)
    seed(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The real app on its own database (module-scoped: the catalogue is read-only here)."""
    url = fresh_database_url(tmp_path_factory.mktemp("api"))
    app = create_app(Settings(database_url=url, data_dir=tmp_path_factory.mktemp("data")))
    with TestClient(app) as test_client:
        yield test_client
