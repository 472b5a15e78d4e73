"""Catalogue services for the API: instruments, business models, vocabulary, snapshots."""

import re
import threading
import time
from datetime import date

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from advisor.errors import CatalogueUnavailable, NotFound
from advisor.models import BusinessModelPublic, CountryCoveragePublic, InstrumentPublic
from catalogue import coverage, repository
from catalogue.db import prepare as prepare_database
from catalogue.repository import InstrumentFilter
from catalogue.schema import InstrumentRecord
from catalogue.snapshot import Snapshot
from catalogue.vocabulary import VOCABULARY, InstrumentKind, Jurisdiction, Sector, Status

__all__ = [
    "InstrumentKind", "Jurisdiction", "Sector", "Snapshot", "SnapshotCache", "Status",
    "get_instrument", "list_business_models", "list_coverage", "list_instruments",
    "prepare_database", "vocabulary",
]  # fmt: skip


INSTRUMENT_ID = re.compile(r"[a-z][a-z0-9_]{0,63}")


def _public(record: InstrumentRecord) -> InstrumentPublic:
    return InstrumentPublic(**record.model_dump(), countries_expanded=record.countries())


def list_instruments(
    *,
    session: Session,
    jurisdiction: str | None = None,
    kind: str | None = None,
    sector: str | None = None,
    country: str | None = None,
    status: str | None = None,
    as_of: date | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[InstrumentPublic], int]:
    filters = InstrumentFilter(
        jurisdiction=jurisdiction, kind=kind, sector=sector, country=country, status=status,
        as_of=as_of,
    )  # fmt: skip
    records, total = repository.list_instruments(
        session=session, filters=filters, offset=offset, limit=limit
    )
    return [_public(r) for r in records], total


def get_instrument(*, session: Session, instrument_id: str) -> InstrumentPublic:
    # catalogue ids are snake case of at most 64 characters (catalogue/schema.py Identifier):
    # no other id can exist, and PostgreSQL would refuse a NUL in the query with an error
    record = None
    if INSTRUMENT_ID.fullmatch(instrument_id):
        record = repository.get_instrument(session=session, instrument_id=instrument_id)
    if record is None:
        instrument_id = instrument_id[:64]
        raise NotFound(f"no instrument with id {instrument_id!r}", field="instrument_id")
    return _public(record)


def list_business_models(*, session: Session) -> list[BusinessModelPublic]:
    return [
        BusinessModelPublic(**bm.model_dump())
        for bm in repository.list_business_models(session=session)
    ]


def list_coverage(*, session: Session) -> list[CountryCoveragePublic]:
    """Every country whose national instruments the catalogue states, by country code."""
    return [
        CountryCoveragePublic.model_validate(coverage.public(cov))
        for cov in repository.list_coverage(session=session)
    ]


def vocabulary() -> dict[str, list[str]]:
    return VOCABULARY


class SnapshotCache:
    """The catalogue snapshot, reloaded only when the database's revision changes.

    The revision is checked at most every `ttl` seconds, so requests in between touch no
    database at all. Thread-safe: the API serves sync handlers from a thread pool.
    """

    def __init__(self, engine: Engine, ttl: float = 30.0) -> None:
        self._engine = engine
        self._ttl = ttl
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._checked = 0.0

    def current(self) -> Snapshot | None:
        """The snapshot if its revision was checked less than `ttl` seconds ago, else None (a
        check is due: `get`). Touches no database."""
        snap = self._snapshot
        if snap is not None and time.monotonic() - self._checked < self._ttl:
            return snap
        return None

    def get(self) -> Snapshot:
        now = time.monotonic()
        snap = self._snapshot
        if snap is not None and now - self._checked < self._ttl:
            return snap
        with self._lock:
            if self._snapshot is not None and now - self._checked < self._ttl:
                return self._snapshot
            try:
                with Session(self._engine) as session:
                    revision = repository.revision(session=session)
                    if self._snapshot is None or self._snapshot.revision != revision:
                        self._snapshot = repository.load_snapshot(session=session)
            except SQLAlchemyError as exc:
                if self._snapshot is None:
                    raise CatalogueUnavailable(f"catalogue database unavailable: {exc}") from exc
            self._checked = now
            if not self._snapshot.instruments:
                raise CatalogueUnavailable("the catalogue is empty: run `advisor seed`")
            return self._snapshot
