"""Database engine, schema migrations (Alembic) and idempotent seeding.

`prepare()` migrates and seeds under a lock held per database (a PostgreSQL advisory lock, or an
exclusive lock on the file `<database>.lock` next to a SQLite file), so any number of processes
starting at once (`advisor serve --workers N`, workers, CLI) migrate and seed exactly once: the
first does the work, the others wait for it and then find the schema and revision in place.
"""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, event, text
from sqlmodel import Session, create_engine, delete, select

from catalogue import datafiles
from catalogue.schema import dump
from catalogue.tables import BusinessModel, CatalogueMeta, Coverage, FxRate, Instrument

MIGRATIONS = Path(__file__).parent / "migrations"
# pg_advisory_lock key (a bigint) reserved for migrating and seeding: "FADVPREP" in ASCII
PREPARE_LOCK_KEY = int.from_bytes(b"FADVPREP", "big", signed=True)


def make_engine(url: str) -> Engine:
    """An engine for `url`; for a SQLite file, its folder is created, foreign keys enforced and
    the write-ahead log on (WAL, synchronous=NORMAL; the file must be on a local disk, as
    SQLite's locking needs anyway)."""
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[-1]
        if path and path != ":memory:":
            Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            # write-ahead log: readers (other server processes) go on while one writes, and a
            # commit appends to the log instead of rewriting a journal with three fsyncs
            # (a decision record's commit: ~7 ms instead of ~26 ms, measured). NORMAL syncs
            # the log at checkpoints only: a commit survives a crash of the process, and a
            # power cut loses at most the last commits, never the file's consistency; the
            # answers whose records those are were sent before their commit in any mode
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    """Bring the schema to the latest migration."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def current_revision(session: Session) -> str | None:
    meta = session.get(CatalogueMeta, "revision")
    return meta.value if meta else None


def seed(engine: Engine, data: datafiles.SeedData | None = None) -> bool:
    """Load the data files into the database unless it already holds their revision.

    Returns True when rows were written. Rows whose id left the data files are removed, so the
    database mirrors the files exactly; running it twice writes nothing the second time.
    """
    if data is None:
        with Session(engine) as session:
            if current_revision(session) == datafiles.revision():
                return False  # the usual start: nothing to write, no need to parse the files
        data = datafiles.load()
    with Session(engine) as session:
        if current_revision(session) == data.revision:
            return False
        keep = {rec.id for rec in data.instruments}
        for rec in data.instruments:
            session.merge(
                Instrument(
                    id=rec.id,
                    name_en=rec.name_en,
                    kind=rec.kind,
                    jurisdiction=rec.jurisdiction,
                    status=rec.status,
                    valid_from=rec.valid_from,
                    valid_to=rec.valid_to,
                    successor=rec.successor,
                    countries=rec.countries(),
                    sectors=list(rec.sectors),
                    record=dump(rec),
                )
            )
        session.exec(delete(Instrument).where(Instrument.id.not_in(keep)))  # type: ignore[attr-defined]
        keep_bm = {bm.id for bm in data.business_models}
        for bm in data.business_models:
            session.merge(BusinessModel(id=bm.id, name_en=bm.name_en, record=dump(bm)))
        session.exec(delete(BusinessModel).where(BusinessModel.id.not_in(keep_bm)))  # type: ignore[attr-defined]
        existing_fx = session.exec(select(FxRate)).all()
        for row in existing_fx:
            session.delete(row)
        session.flush()
        for fx in data.fx_rates:
            session.add(
                FxRate(currency=fx.currency, date=fx.date, per_eur=fx.per_eur, record=dump(fx))
            )
        for row in session.exec(select(Coverage)).all():
            session.delete(row)
        session.flush()
        for cov in data.coverage:
            session.add(Coverage(country=cov.country, record=dump(cov)))
        now = datetime.now(UTC)
        session.merge(CatalogueMeta(key="revision", value=data.revision, updated_at=now))
        session.merge(CatalogueMeta(key="edition", value=data.edition, updated_at=now))
        session.commit()
    return True


@contextmanager
def prepare_lock(engine: Engine) -> Iterator[None]:
    """Hold the database's migrate-and-seed lock (blocking until it is free)."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            # a session-level lock: it outlives the transactions run on other connections, and
            # PostgreSQL frees it should this process die
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": PREPARE_LOCK_KEY})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": PREPARE_LOCK_KEY}
                )
                connection.commit()
        return
    path = engine.url.database if engine.dialect.name == "sqlite" else None
    if not path or path == ":memory:" or sys.platform == "win32":
        yield  # a private in-memory database, or no flock(): nothing to share or no way to lock
        return
    import fcntl

    with open(f"{path}.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # freed on close, and by the kernel if we die
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def migrate_and_seed(engine: Engine) -> bool:
    """Migrate and seed under the database's lock; True when catalogue rows were written."""
    with prepare_lock(engine):
        migrate(engine)
        return seed(engine)


def prepare(url: str) -> Engine:
    """Engine for `url` with the schema migrated and the catalogue seeded (once per database)."""
    engine = make_engine(url)
    migrate_and_seed(engine)
    return engine
