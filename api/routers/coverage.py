"""Coverage endpoint: which national instrument families the catalogue covers, per country."""

from fastapi import APIRouter
from pydantic import BaseModel

from advisor import catalogue_service
from advisor.models import CountryCoveragePublic
from api.deps import SessionDep

router = APIRouter(prefix="/v1", tags=["catalogue"])


class CoverageList(BaseModel):
    data: list[CountryCoveragePublic]
    count: int


@router.get("/coverage", response_model=CoverageList)
def list_coverage(session: SessionDep) -> CoverageList:
    data = catalogue_service.list_coverage(session=session)
    return CoverageList(data=data, count=len(data))
