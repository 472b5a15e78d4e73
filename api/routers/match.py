"""Matching: one profile in, ranked and explained Advice out (or many, item by item)."""

import asyncio
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Query, Response

from advisor.advice import MAX_LIMIT, SHORT_LIST, advise
from advisor.batch import advise_items
from advisor.decisions import answer
from advisor.errors import InvalidInput
from advisor.models import Advice, BatchRequest, BatchResponse, ProjectProfile
from api.bodies import StrictJSONRoute
from api.deps import EnginePoolDep, KeeperDep, OwnerDep, SettingsDep, SnapshotDep
from api.errors import ErrorResponse

router = APIRouter(prefix="/v1", tags=["match"], route_class=StrictJSONRoute)


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
    keeper: KeeperDep,
    owner: OwnerDep,
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description="options on the short list (default 10)")
    ] = SHORT_LIST,
) -> Response:
    """Ranked options (a short list), what to check, the other eligible instruments, why-nots,
    funding mixes and business models for one project. The answer is kept as a decision
    record (`advice_id`, GET /v1/advice/{id}) unless ADVISOR_KEEP_ADVICE=false."""
    run = partial(
        answer, profile, snapshot, keeper=keeper, owner=owner, limit=limit,
        fresh=settings.naive_engine,
    )  # fmt: skip
    body = await asyncio.get_running_loop().run_in_executor(pool, run)
    return Response(content=body, media_type="application/json")


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
