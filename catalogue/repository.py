"""Queries over the catalogue tables. Service functions take keyword-only arguments."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_
from sqlmodel import Session, select

from catalogue.coverage import CountryCoverage
from catalogue.db import current_revision
from catalogue.schema import BusinessModelRecord, InstrumentRecord
from catalogue.schema import FxRate as FxRateRecord
from catalogue.snapshot import Snapshot
from catalogue.tables import BusinessModel, Coverage, FxRate, Instrument


@dataclass(frozen=True)
class InstrumentFilter:
    jurisdiction: str | None = None
    kind: str | None = None
    sector: str | None = None
    country: str | None = None
    status: str | None = None
    as_of: date | None = None


def list_instruments(
    *, session: Session, filters: InstrumentFilter, offset: int = 0, limit: int = 50
) -> tuple[list[InstrumentRecord], int]:
    """Instruments matching `filters`, ordered by id, and the total count before paging.

    Scalar filters run in SQL. Sector and country membership live in JSON lists, which SQLite and
    PostgreSQL query differently; the catalogue is small, so those two are applied here, and both
    back ends answer alike.
    """
    query = select(Instrument).order_by(Instrument.id)
    if filters.jurisdiction:
        query = query.where(Instrument.jurisdiction == filters.jurisdiction)
    if filters.kind:
        query = query.where(Instrument.kind == filters.kind)
    if filters.status:
        query = query.where(Instrument.status == filters.status)
    if filters.as_of:
        query = query.where(
            or_(Instrument.valid_from.is_(None), Instrument.valid_from <= filters.as_of),  # type: ignore[union-attr]
            or_(Instrument.valid_to.is_(None), Instrument.valid_to >= filters.as_of),  # type: ignore[union-attr]
        )
    rows = session.exec(query).all()
    if filters.sector:
        rows = [r for r in rows if not r.sectors or filters.sector in r.sectors]
    if filters.country:
        rows = [r for r in rows if not r.countries or filters.country in r.countries]
    total = len(rows)
    page = rows[offset : offset + limit]
    return [InstrumentRecord.model_validate(r.record) for r in page], total


def get_instrument(*, session: Session, instrument_id: str) -> InstrumentRecord | None:
    row = session.get(Instrument, instrument_id)
    return InstrumentRecord.model_validate(row.record) if row else None


def list_business_models(*, session: Session) -> list[BusinessModelRecord]:
    rows = session.exec(select(BusinessModel).order_by(BusinessModel.id)).all()
    return [BusinessModelRecord.model_validate(r.record) for r in rows]


def list_coverage(*, session: Session) -> list[CountryCoverage]:
    """Every covered country's coverage, ordered by country code."""
    rows = session.exec(select(Coverage).order_by(Coverage.country)).all()
    return [CountryCoverage.model_validate(r.record) for r in rows]


def count_instruments(*, session: Session) -> int:
    return session.exec(select(func.count()).select_from(Instrument)).one()


def revision(*, session: Session) -> str | None:
    return current_revision(session)


def load_snapshot(*, session: Session) -> Snapshot:
    """The whole catalogue at its current revision, as immutable records."""
    instruments = session.exec(select(Instrument).order_by(Instrument.id)).all()
    models = session.exec(select(BusinessModel).order_by(BusinessModel.id)).all()
    rates = session.exec(select(FxRate).order_by(FxRate.currency, FxRate.date)).all()
    coverage = session.exec(select(Coverage).order_by(Coverage.country)).all()
    return Snapshot(
        revision=current_revision(session) or "unseeded",
        instruments=tuple(InstrumentRecord.model_validate(r.record) for r in instruments),
        business_models=tuple(BusinessModelRecord.model_validate(r.record) for r in models),
        fx_rates=tuple(FxRateRecord.model_validate(r.record) for r in rates),
        coverage=tuple(CountryCoverage.model_validate(r.record) for r in coverage),
    )
