"""Annotated dependency aliases used by the routers.

Those that only read the app's state are `async`: FastAPI runs a plain `def` dependency in a
worker thread, a round trip per dependency per request; the session, which reads the database,
stays a plain function, and the snapshot goes to a thread only when it is due a check."""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from advisor.catalogue_service import Snapshot, SnapshotCache
from advisor.decisions import Keeper
from advisor.detail import Detail
from advisor.settings import Settings
from api.auth import AdviceCaller


def get_session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.db) as session:
        yield session


async def get_snapshot(request: Request) -> Snapshot:
    """The catalogue snapshot: as it is while its revision is fresh, else from a worker thread
    that checks the database (a thread round trip per request was most of this dependency)."""
    cache: SnapshotCache = request.app.state.snapshots
    return cache.current() or await run_in_threadpool(cache.get)


async def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_engine_pool(request: Request) -> ThreadPoolExecutor:
    return request.app.state.engine_pool


async def get_keeper(request: Request) -> Keeper | None:
    """The decision-record keeper, or None with ADVISOR_KEEP_ADVICE=false."""
    if not request.app.state.settings.keep_advice:
        return None
    keeper = getattr(request.app.state, "keeper", None)
    if keeper is None:
        keeper = request.app.state.keeper = Keeper(request.app.state.db)
    return keeper


def get_owner(caller: AdviceCaller) -> str | None:
    """Who reads decision records: the API key's id where they need a key (scope `advice`, with
    ADVISOR_AUTH=keys or all), who then sees the records made without a key and those made with
    this one; else None (open, as with ADVISOR_AUTH=none; ids are random UUIDs)."""
    return caller.key_id


SessionDep = Annotated[Session, Depends(get_session)]
SnapshotDep = Annotated[Snapshot, Depends(get_snapshot)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
EnginePoolDep = Annotated[ThreadPoolExecutor, Depends(get_engine_pool)]
KeeperDep = Annotated[Keeper | None, Depends(get_keeper)]
OwnerDep = Annotated[str | None, Depends(get_owner)]
DetailQuery = Annotated[
    Detail,
    Query(
        description="`lean` (default): each excluded instrument with its decisive reason (the "
        "first hard criterion it failed), the near-miss flag and what would make it qualify, "
        "and every reason as {rule, text, source}; `full`: every criterion it failed, each "
        "reason with its criterion record (test, value, threshold, passed)"
    ),
]
