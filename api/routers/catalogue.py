"""Catalogue endpoints: instruments (filtered, paged), business models, vocabulary."""

from typing import Annotated, Generic, TypeVar

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from advisor import catalogue_service
from advisor.catalogue_service import InstrumentKind, Jurisdiction, Sector, Status
from advisor.models import BusinessModelPublic, InstrumentPublic, IsoDate
from api.auth import require
from api.deps import SessionDep
from api.errors import ErrorResponse

router = APIRouter(
    prefix="/v1",
    tags=["catalogue"],
    dependencies=[Depends(require("match"))],
    responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}},
)
T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    data: list[T]
    count: int
    offset: int = 0
    limit: int | None = None


@router.get("/instruments", response_model=Page[InstrumentPublic])
def list_instruments(
    session: SessionDep,
    jurisdiction: Jurisdiction | None = None,
    kind: InstrumentKind | None = None,
    sector: Sector | None = None,
    country: Annotated[str | None, Query(pattern=r"^[A-Z]{2}$")] = None,
    status: Status | None = None,
    as_of: IsoDate | None = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Page[InstrumentPublic]:
    data, total = catalogue_service.list_instruments(
        session=session, jurisdiction=jurisdiction, kind=kind, sector=sector, country=country,
        status=status, as_of=as_of, offset=offset, limit=limit,
    )  # fmt: skip
    return Page(data=data, count=total, offset=offset, limit=limit)


@router.get(
    "/instruments/{instrument_id}",
    response_model=InstrumentPublic,
    responses={404: {"model": ErrorResponse}},
)
def get_instrument(instrument_id: str, session: SessionDep) -> InstrumentPublic:
    return catalogue_service.get_instrument(session=session, instrument_id=instrument_id)


@router.get("/business-models", response_model=Page[BusinessModelPublic])
def list_business_models(session: SessionDep) -> Page[BusinessModelPublic]:
    data = catalogue_service.list_business_models(session=session)
    return Page(data=data, count=len(data))


@router.get("/vocabulary", response_model=dict[str, list[str]])
def vocabulary() -> dict[str, list[str]]:
    return catalogue_service.vocabulary()
