"""Matching: one profile in, ranked and explained Advice out."""

from fastapi import APIRouter

from advisor.advice import advise
from advisor.models import Advice, ProjectProfile
from api.deps import SnapshotDep
from api.errors import ErrorResponse

router = APIRouter(prefix="/v1", tags=["match"])


@router.post(
    "/match",
    response_model=Advice,
    responses={400: {"model": ErrorResponse}, 422: {"model": ErrorResponse}},
)
def match(profile: ProjectProfile, snapshot: SnapshotDep) -> Advice:
    return advise(profile, snapshot)
