"""Snapshots for processes without the API (CLI, batch workers): from the configured database."""

from functools import lru_cache

from sqlmodel import Session

from advisor.settings import get_settings
from catalogue import repository
from catalogue.db import prepare
from catalogue.snapshot import Snapshot


@lru_cache(maxsize=4)
def snapshot_for(url: str) -> Snapshot:
    """The catalogue behind `url`, migrated and seeded first if needed."""
    engine = prepare(url)
    try:
        with Session(engine) as session:
            return repository.load_snapshot(session=session)
    finally:
        engine.dispose()


def local_snapshot() -> Snapshot:
    return snapshot_for(get_settings().resolved_database_url())
