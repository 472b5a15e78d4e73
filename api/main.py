"""The ASGI application: `api.main:app`, built by `create_app()`.

On start it migrates the database schema and seeds the catalogue if the data files' revision is
not there yet, so the embedded SQLite default works on first start with no other step.
"""

from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

from fastapi import FastAPI

from advisor.catalogue_service import SnapshotCache
from advisor.settings import Settings, get_settings
from api import errors
from api.routers import catalogue, health, match
from catalogue.db import prepare

DESCRIPTION = (
    "Which funding instruments and business models fit a smart-city project, why, and in what "
    "mix. Every reason carries its source; every answer its catalogue revision, ruleset version "
    "and as-of date."
)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.db = prepare(settings.resolved_database_url())
        app.state.snapshots = SnapshotCache(app.state.db, ttl=settings.snapshot_ttl_seconds)
        # engine work is CPU-bound: a few dedicated threads (each keeps its own engine) serve
        # it better than the event loop's large general pool
        app.state.engine_pool = ThreadPoolExecutor(
            settings.engine_threads, thread_name_prefix="advisor-engine"
        )
        try:
            yield
        finally:
            app.state.engine_pool.shutdown(wait=False, cancel_futures=True)
            app.state.db.dispose()

    app = FastAPI(
        title="Funding Advisor",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        responses={422: {"model": errors.ErrorResponse}},
    )
    app.state.settings = settings
    errors.install(app)
    app.include_router(health.router)
    app.include_router(catalogue.router)
    app.include_router(match.router)
    return app


app = create_app()
