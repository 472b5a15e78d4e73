"""Matching: one profile in, ranked and explained Advice out (or many, item by item)."""

import asyncio
from collections.abc import Callable
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from advisor import batchwork, encoding, keys
from advisor.advice import MAX_LIMIT, SHORT_LIST
from advisor.decisions import answer
from advisor.errors import InvalidInput
from advisor.models import Advice, BatchRequest, BatchResponse, ProjectProfile
from advisor.settings import Settings
from api.auth import JobsCaller, KeyFirstRoute, KeyHolder, MatchCaller
from api.deps import DetailQuery, EnginePoolDep, KeeperDep, SettingsDep, SnapshotDep
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
    caller: MatchCaller,
    holder: KeyHolder,
    keeper: KeeperDep,
    http: Request,
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description="options on the short list (default 10)")
    ] = SHORT_LIST,
    detail: DetailQuery = "lean",
) -> Response:
    """Ranked options (a short list), what to check, the other eligible instruments, why-nots,
    funding mixes and business models for one project. Why-nots are lean unless
    `?detail=full`: each excluded instrument's decisive reason, near-miss flag and what would
    make it qualify, every reason as {rule, text, source}. The answer is kept as a decision
    record (`advice_id`, GET /v1/advice/{id}, in either form) unless ADVISOR_KEEP_ADVICE=false;
    with API keys on, a record made with a key is that key's alone."""
    run = partial(
        answer, profile, snapshot, keeper=keeper, owner=holder.key_id, limit=limit,
        fresh=settings.naive_engine, detail=detail,
    )  # fmt: skip
    coding = encoding.accepted(http.headers.get("accept-encoding"))
    body, sent_as = await asyncio.get_running_loop().run_in_executor(
        pool, _encoded, run, coding, _level(settings, coding), settings.gzip_min_bytes
    )
    return Response(content=body, media_type="application/json", headers=encoding.headers(sent_as))


def _level(settings: Settings, coding: str | None) -> int:
    return settings.zstd_level if coding == encoding.ZSTD else settings.gzip_level


def _encoded(
    run: Callable[[], bytes], coding: str | None, level: int, min_bytes: int
) -> tuple[bytes, str | None]:
    """The answer made and, where asked, compressed in the engine thread (advisor/encoding.py)."""
    return encoding.encoded(run(), coding, level, min_bytes)


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
    http: Request,
    settings: SettingsDep,
    caller: JobsCaller,
    keeper: KeeperDep,
    snapshot: SnapshotDep,
    detail: DetailQuery = "lean",
) -> Response:
    """Up to ADVISOR_MAX_BATCH_ITEMS profiles (default 500), each answered on its own: a bad
    item gets its errors, the others their advice (why-nots lean unless `?detail=full`, as
    /v1/match). Larger portfolios: `advisor batch`. Each advice is kept as a decision record,
    as /v1/match's (`advice_id`; the batch's key owns it).

    Batches run in processes of their own (ADVISOR_BATCH_PROCESSES), never ahead of or in the
    way of single matches."""
    if len(request.items) > settings.max_batch_items:
        raise InvalidInput(
            f"at most {settings.max_batch_items} items per batch, got {len(request.items)}; "
            "run larger portfolios with `advisor batch`",
            field="items",
        )
    await asyncio.to_thread(
        keys.admit, db=http.app.state.db, caller=caller, items=len(request.items), job=False
    )
    # the batch process makes the whole body, compressed as asked (GZipMiddleware then passes
    # it on as it is): tens of megabytes that this process need not touch
    coding = encoding.accepted(http.headers.get("accept-encoding"))
    body, sent_as, made = await batchwork.run(
        http.app.state, batchwork.batch_body, settings.resolved_database_url(),
        batchwork.batch_rows(request.items), coding, _level(settings, coding),
        settings.gzip_min_bytes, detail, keeper is not None,
    )  # fmt: skip
    if keeper is not None:  # written by the keeper's thread, after the answer is on its way
        keeper.submit_made(made, owner=caller.key_id, snapshot=snapshot)
    return Response(body, media_type="application/json", headers=encoding.headers(sent_as))
