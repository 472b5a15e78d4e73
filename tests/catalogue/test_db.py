"""The catalogue in a real database: migrations, idempotent seeding, queries.

Runs on SQLite by default and again on PostgreSQL in CI (ADVISOR_TEST_DATABASE_URL).
"""

import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect
from sqlmodel import Session, select

from catalogue import datafiles, repository
from catalogue.db import current_revision, make_engine, migrate, seed
from catalogue.repository import InstrumentFilter
from catalogue.tables import Instrument

pytestmark = pytest.mark.db


def test_migrations_create_the_schema(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate(engine)
    tables = set(inspect(engine).get_table_names())
    assert {
        "instrument",
        "business_model",
        "fx_rate",
        "catalogue_meta",
        "alembic_version",
    } <= tables
    migrate(engine)  # a second run is a no-op
    engine.dispose()


def test_seeding_loads_every_record_and_is_idempotent(db: Engine) -> None:
    data = datafiles.load()
    assert seed(db) is False  # the fixture seeded already: same revision, nothing written
    with Session(db) as session:
        assert repository.count_instruments(session=session) == len(data.instruments)
        assert current_revision(session) == data.revision
        snapshot = repository.load_snapshot(session=session)
    assert snapshot.instruments == tuple(sorted(data.instruments, key=lambda r: r.id))
    assert len(snapshot.business_models) == len(data.business_models)
    assert len(snapshot.fx_rates) == len(data.fx_rates)


def test_reseeding_a_changed_catalogue_removes_and_updates_rows(db: Engine) -> None:
    data = datafiles.load()
    trimmed = datafiles.SeedData(
        edition=data.edition,
        revision=data.revision + "-trimmed",
        instruments=tuple(r for r in data.instruments if r.id != "tif"),
        business_models=data.business_models,
        fx_rates=data.fx_rates,
    )
    assert seed(db, trimmed) is True
    with Session(db) as session:
        assert session.get(Instrument, "tif") is None
        assert current_revision(session) == trimmed.revision
    assert seed(db, data) is True
    with Session(db) as session:
        assert session.get(Instrument, "tif") is not None


def test_a_seeded_database_is_recognised_without_parsing_the_files(
    db: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A start on a database that holds the files' revision reads no data file; one that holds
    another revision is seeded from the files. The quick revision is the loaded one's, for the
    shipped files and for the same files with one byte changed."""
    data = datafiles.load()
    assert datafiles.revision() == data.revision
    copy = tmp_path / "data"
    shutil.copytree(datafiles.DATA_DIR, copy)
    bm = copy / "business_models.yaml"
    bm.write_text(bm.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert datafiles.revision(copy) == datafiles.load(copy).revision != data.revision
    older = datafiles.SeedData(data.edition, data.revision + "-older", (), (), ())
    assert seed(db, older) is True
    assert seed(db) is True  # another revision: loaded from the files and written
    with Session(db) as session:
        assert current_revision(session) == data.revision

    def no_parsing() -> None:
        raise AssertionError("the data files were parsed")

    monkeypatch.setattr(datafiles, "load", no_parsing)
    assert seed(db) is False


@pytest.mark.parametrize(
    ("filters", "check"),
    [
        (InstrumentFilter(jurisdiction="EU"), lambda r: r.jurisdiction == "EU"),
        (InstrumentFilter(kind="loan"), lambda r: r.kind == "loan"),
        (InstrumentFilter(status="closed"), lambda r: r.status == "closed"),
        (InstrumentFilter(country="CN"), lambda r: not r.countries() or "CN" in r.countries()),
        (InstrumentFilter(sector="transport"), lambda r: not r.sectors or "transport" in r.sectors),
        (
            InstrumentFilter(as_of=date(2014, 8, 1)),
            lambda r: (
                (r.valid_from is None or r.valid_from <= date(2014, 8, 1))
                and (r.valid_to is None or r.valid_to >= date(2014, 8, 1))
            ),
        ),
    ],
)
def test_filters(db: Engine, filters: InstrumentFilter, check) -> None:  # type: ignore[no-untyped-def]
    with Session(db) as session:
        records, total = repository.list_instruments(session=session, filters=filters, limit=500)
        everything = session.exec(select(Instrument)).all()
    assert records and total == len(records) < len(everything)
    assert all(check(r) for r in records)


def test_paging(db: Engine) -> None:
    with Session(db) as session:
        first, total = repository.list_instruments(
            session=session, filters=InstrumentFilter(), offset=0, limit=10
        )
        second, _ = repository.list_instruments(
            session=session, filters=InstrumentFilter(), offset=10, limit=10
        )
    assert len(first) == len(second) == 10 and total > 20
    assert not {r.id for r in first} & {r.id for r in second}


def test_a_sqlite_file_is_written_ahead_in_a_log(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'a.sqlite3'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()
