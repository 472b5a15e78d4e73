"""Migration 0004 (API keys): up, down, and up again over a job table that has its owner."""

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, inspect, text

from catalogue.db import MIGRATIONS, make_engine

pytestmark = pytest.mark.db


def _to(engine: Engine, revision: str, *, down: bool = False) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def _columns(engine: Engine, table: str) -> list[str]:
    return [c["name"] for c in inspect(engine).get_columns(table)]


def test_keys_migration_up_down_and_over_an_existing_owner(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        _to(engine, "0002")
        assert "owner" not in _columns(engine, "job")
        _to(engine, "head")
        tables = set(inspect(engine).get_table_names())
        assert {"api_key", "api_key_usage"} <= tables
        assert _columns(engine, "job").count("owner") == 1
        assert "secret" not in " ".join(_columns(engine, "api_key")).replace("secret_hash", "")

        _to(engine, "0002", down=True)
        assert not {"api_key", "api_key_usage"} & set(inspect(engine).get_table_names())
        # a jobs revision that already added job.owner (as the integrator's may): not added twice
        assert "owner" in _columns(engine, "job")
        _to(engine, "head")
        assert _columns(engine, "job").count("owner") == 1
        with engine.begin() as conn:
            conn.execute(text("SELECT id, owner FROM job WHERE owner IS NULL"))
    finally:
        engine.dispose()
