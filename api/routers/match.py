"""Matching: one profile in, ranked and explained Advice out (or many, item by item)."""

import asyncio
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Query, Request

from advisor import keys
from advisor.advice import MAX_LIMIT, SHORT_LIST, advise
from advisor.batch import advise_items
from advisor.errors import InvalidInput
from advisor.models import Advice, BatchRequest, BatchResponse, ProjectProfile
from api.auth import JobsCaller, KeyFirstRoute, MatchCaller
from api.deps import EnginePoolDep, SettingsDep, SnapshotDep
from api.errors import ErrorResponse

router = APIRouter(
    prefix="/v1",
    tags=["match"],
    route_class=KeyFirstRoute,
    responses={401: {"model": ErrorResponse}, 403: {"model": ErrorResponse}},
)


@router.post(
    "/match",
    response_model=Advice,
    responses={400: {"model": ErrorResponse}, 422: {"model": ErrorResponse}},
)
async def match(
    profile: ProjectProfile,
    snapshot: SnapshotDep,
    settings: SettingsDep,
    pool: EnginePoolDep,
    _caller: MatchCaller,
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description="options on the short list (default 10)")
    ] = SHORT_LIST,
) -> Advice:
    """Ranked options (a short list), what to check, the other eligible instruments, why-nots,
    funding mixes and business models for one project."""
    run = partial(advise, profile, snapshot, fresh=settings.naive_engine, limit=limit)
    return await asyncio.get_running_loop().run_in_executor(pool, run)


@router.post(
    "/match/batch",
    response_model=BatchResponse,
    responses={
        400: {"model": ErrorResponse},
        422: {"model": ErrorResponse},
        429: {"model": ErrorResponse},
    },
)
async def match_batch(
    request: BatchRequest,
    snapshot: SnapshotDep,
    settings: SettingsDep,
    pool: EnginePoolDep,
    caller: JobsCaller,
    http: Request,
) -> BatchResponse:
    """Up to ADVISOR_MAX_BATCH_ITEMS profiles (default 500), each answered on its own: a bad
    item gets its errors, the others their advice. Larger portfolios: `advisor batch`."""
    if len(request.items) > settings.max_batch_items:
        raise InvalidInput(
            f"at most {settings.max_batch_items} items per batch, got {len(request.items)}; "
            "run larger portfolios with `advisor batch`",
            field="items",
        )
    await asyncio.to_thread(
        keys.admit, db=http.app.state.db, caller=caller, items=len(request.items), job=False
    )
    fresh = settings.naive_engine
    run = partial(advise_items, request.items, lambda p: advise(p, snapshot, fresh=fresh))
    return await asyncio.get_running_loop().run_in_executor(pool, run)
