"""Matching: one profile in, ranked and explained Advice out (or many, item by item)."""

import asyncio
from functools import partial

from fastapi import APIRouter

from advisor.advice import advise
from advisor.batch import advise_items
from advisor.errors import InvalidInput
from advisor.models import Advice, BatchRequest, BatchResponse, ProjectProfile
from api.deps import EnginePoolDep, SettingsDep, SnapshotDep
from api.errors import ErrorResponse

router = APIRouter(prefix="/v1", tags=["match"])


@router.post(
    "/match",
    response_model=Advice,
    responses={400: {"model": ErrorResponse}, 422: {"model": ErrorResponse}},
)
async def match(
    profile: ProjectProfile, snapshot: SnapshotDep, settings: SettingsDep, pool: EnginePoolDep
) -> Advice:
    run = partial(advise, profile, snapshot, fresh=settings.naive_engine)
    return await asyncio.get_running_loop().run_in_executor(pool, run)


@router.post(
    "/match/batch",
    response_model=BatchResponse,
    responses={400: {"model": ErrorResponse}, 422: {"model": ErrorResponse}},
)
async def match_batch(
    request: BatchRequest, snapshot: SnapshotDep, settings: SettingsDep, pool: EnginePoolDep
) -> BatchResponse:
    """Up to ADVISOR_MAX_BATCH_ITEMS profiles (default 500), each answered on its own: a bad
    item gets its errors, the others their advice. Larger portfolios: `advisor batch`."""
    if len(request.items) > settings.max_batch_items:
        raise InvalidInput(
            f"at most {settings.max_batch_items} items per batch, got {len(request.items)}; "
            "run larger portfolios with `advisor batch`",
            field="items",
        )
    fresh = settings.naive_engine
    run = partial(advise_items, request.items, lambda p: advise(p, snapshot, fresh=fresh))
    return await asyncio.get_running_loop().run_in_executor(pool, run)
