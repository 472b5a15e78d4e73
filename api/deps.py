"""Annotated dependency aliases used by the routers."""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from advisor.catalogue_service import Snapshot, SnapshotCache
from advisor.settings import Settings


def get_session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.db) as session:
        yield session


def get_snapshot(request: Request) -> Snapshot:
    cache: SnapshotCache = request.app.state.snapshots
    return cache.get()


def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_engine_pool(request: Request) -> ThreadPoolExecutor:
    return request.app.state.engine_pool


SessionDep = Annotated[Session, Depends(get_session)]
SnapshotDep = Annotated[Snapshot, Depends(get_snapshot)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
EnginePoolDep = Annotated[ThreadPoolExecutor, Depends(get_engine_pool)]
